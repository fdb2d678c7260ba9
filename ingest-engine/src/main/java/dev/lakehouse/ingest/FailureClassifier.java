package dev.lakehouse.ingest;

import dev.lakehouse.registry.client.RegistryUnavailableException;
import dev.lakehouse.table.CommitFailedException;
import dev.lakehouse.table.CommitOutcomeUnknownException;
import dev.lakehouse.table.IncompleteLogListingException;
import dev.lakehouse.table.OffsetsMovedException;
import java.io.UncheckedIOException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.RetriableException;

/**
 * Tells failures worth a restart (the world was briefly unavailable) from those a restart cannot fix (bad data,
 * bad configuration, a bug). Unknown failures count as permanent: retrying a bug forever hides it.
 */
final class FailureClassifier {

    private FailureClassifier() {
    }

    static boolean isTransient(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof AuthenticationException || t instanceof AuthorizationException) {
                return false;
            }
            if (t instanceof RegistryUnavailableException
                    || t instanceof CommitOutcomeUnknownException
                    || t instanceof CommitFailedException
                    || t instanceof IncompleteLogListingException
                    || t instanceof OffsetsMovedException
                    || t instanceof UncheckedIOException
                    || t instanceof java.io.IOException
                    || t instanceof RetriableException) {
                return true;
            }
        }
        return false;
    }
}
