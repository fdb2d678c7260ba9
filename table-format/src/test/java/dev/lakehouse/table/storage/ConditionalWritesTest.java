package dev.lakehouse.table.storage;

import dev.lakehouse.table.TableOptions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.FileAlreadyExistsException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The probe decides from what the store does, and fails closed. */
class ConditionalWritesTest {

    private static final URI SCRATCH = URI.create("s3a://lake/t/_lakehouse/probe/x");

    /** A store in memory that honours the condition, ignores it, refuses it or cannot be reached. */
    private static final class FakeStore implements ConditionalWrites.Store {
        enum Kind { HONOURS, IGNORES, REFUSES, UNREACHABLE }

        final Kind kind;
        final Map<URI, byte[]> objects = new HashMap<>();
        final List<URI> deleted = new ArrayList<>();

        FakeStore(Kind kind) {
            this.kind = kind;
        }

        @Override
        public void putIfAbsent(URI object, byte[] bytes) throws IOException {
            switch (kind) {
                case UNREACHABLE -> throw new IOException("connection refused");
                case REFUSES -> throw new ConditionalWrites.UnsupportedException("501 NotImplemented", null);
                case HONOURS -> {
                    if (objects.putIfAbsent(object, bytes) != null) {
                        throw new FileAlreadyExistsException(object.toString());
                    }
                }
                case IGNORES -> objects.put(object, bytes);
                default -> throw new IllegalStateException();
            }
        }

        @Override
        public void delete(URI object) {
            objects.remove(object);
            deleted.add(object);
        }
    }

    @Test
    void aStoreThatRefusesTheSecondWriteHolds() {
        FakeStore store = new FakeStore(FakeStore.Kind.HONOURS);
        assertThat(ConditionalWrites.probe(store, SCRATCH)).isTrue();
        assertThat(store.objects).as("the scratch object is deleted").isEmpty();
    }

    @Test
    void aStoreThatIgnoresTheHeaderOrRefusesTheConditionIsNotTrusted() {
        assertThat(ConditionalWrites.probe(new FakeStore(FakeStore.Kind.IGNORES), SCRATCH)).isFalse();
        assertThat(ConditionalWrites.probe(new FakeStore(FakeStore.Kind.REFUSES), SCRATCH)).isFalse();
    }

    @Test
    void anUnreachableStoreDecidesNothing() {
        FakeStore store = new FakeStore(FakeStore.Kind.UNREACHABLE);
        assertThatThrownBy(() -> ConditionalWrites.probe(store, SCRATCH))
                .isInstanceOf(UncheckedIOException.class).hasMessageContaining("cannot probe")
                .hasMessageContaining("connection refused");
        assertThat(store.deleted).containsExactly(SCRATCH);
    }

    @Test
    void onlyS3aTablesAreProbedOrGetConditionalPutCommits() {
        assertThat(ConditionalWrites.probeable("s3a://lake/t")).isTrue();
        assertThat(ConditionalWrites.probeable("file:///data/t")).isFalse();
        assertThatThrownBy(() -> TableOptions.builder("file:///data/t").conditionalPutCommits())
                .hasMessageContaining("s3a://");
        TableOptions options = TableOptions.builder("s3a://lake/t").conditionalPutCommits().build();
        assertThat(options.conditionalPutCommits()).isTrue();
        assertThat(TableOptions.builder("s3a://lake/t").build().conditionalPutCommits()).isFalse();
    }
}
