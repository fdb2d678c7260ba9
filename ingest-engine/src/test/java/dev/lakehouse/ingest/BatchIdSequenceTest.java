package dev.lakehouse.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BatchIdSequenceTest {

    @Test
    void continuesAfterTheCommittedIdAndNeverGoesBack() {
        BatchIdSequence ids = new BatchIdSequence();
        ids.continueAfter(-1); // nothing committed yet
        assertThat(ids.next()).isZero();
        ids.continueAfter(41); // a predecessor with this instance id committed up to 41
        assertThat(ids.next()).isEqualTo(42);
        ids.continueAfter(10); // an older commit read later changes nothing
        assertThat(ids.next()).isEqualTo(43);
        assertThat(ids.peek()).isEqualTo(44);
    }
}
