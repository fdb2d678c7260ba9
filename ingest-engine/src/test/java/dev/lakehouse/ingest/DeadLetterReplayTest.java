package dev.lakehouse.ingest;

import dev.lakehouse.ingest.deadletter.DeadLetter;
import dev.lakehouse.ingest.deadletter.DeadLetterBatch;
import dev.lakehouse.ingest.deadletter.DeadLetterReason;
import dev.lakehouse.ingest.deadletter.DeadLetterTable;
import dev.lakehouse.ingest.deadletter.ReplayState;
import dev.lakehouse.ingest.decode.JsonRecordDecoder;
import dev.lakehouse.ingest.settings.PipelineSettings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lakehouse.table.CommitFailedException;
import dev.lakehouse.table.InMemoryLakeTable;
import dev.lakehouse.table.OffsetRange;
import dev.lakehouse.testkit.ManualClock;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.Test;

/** The replay protocol over in-memory tables, where a commit can be made to fail at an exact step. */
class DeadLetterReplayTest {

    private static final Schema SCHEMA = SchemaBuilder.record("Click").fields().requiredLong("id").endRecord();

    private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final InMemoryLakeTable main = new InMemoryLakeTable("clicks");
    private final DeadLetterTable deadLetters = new DeadLetterTable(new InMemoryLakeTable("clicks_dead_letters"),
            "clicks", clock);
    private final DeadLetterReplay replay = new DeadLetterReplay(PipelineSettings.builder("clicks")
            .topics(List.of("clicks")).bootstrapServers("unused:9092").clock(clock).build(), main,
            new JsonRecordDecoder(SCHEMA), deadLetters);

    /** A letter whose cause is fixed now: its value decodes. */
    private static DeadLetter letter(long offset, DeadLetterReason reason) {
        return new DeadLetter("clicks", 0, offset, -1, "NoTimestampType", null,
                ("{\"id\": " + offset + "}").getBytes(StandardCharsets.UTF_8), List.of(), reason, "was bad", "");
    }

    private List<Object> mainIds() {
        return main.rows().stream().map(r -> r.get("id")).sorted().toList();
    }

    @Test
    void aReplayThatFailedInItsMainCommitIsNotTakenAsDoneBecauseALaterReplayOfOtherLettersCommitted() {
        deadLetters.write(new DeadLetterBatch("clicks", "a", 0, List.of(new OffsetRange("clicks", 0, 0, 3)),
                List.of(letter(0, DeadLetterReason.UNKNOWN_SCHEMA_ID), letter(1, DeadLetterReason.UNKNOWN_SCHEMA_ID),
                        letter(2, DeadLetterReason.INVALID_JSON))));
        main.createIfAbsent(SCHEMA);
        main.failNextCommits(1, () -> new CommitFailedException("storage refused the commit", null));

        assertThatThrownBy(() -> replay.run(Set.of(DeadLetterReason.UNKNOWN_SCHEMA_ID), false))
                .isInstanceOf(CommitFailedException.class);
        DeadLetterReplay.Report other = replay.run(Set.of(DeadLetterReason.INVALID_JSON), false);
        assertThat(other.replayed()).isEqualTo(1);
        DeadLetterReplay.Report rest = replay.run(Set.of(), false);

        assertThat(rest.recovered()).as("nothing of the failed replay is in the table").isZero();
        assertThat(rest.replayed()).isEqualTo(2);
        assertThat(mainIds()).containsExactly(0L, 1L, 2L);
        assertThat(deadLetters.readAll()).allSatisfy(s -> assertThat(s.replayState()).isEqualTo(ReplayState.REPLAYED));
        assertThat(replay.run(Set.of(), false).replayed()).isZero();
        assertThat(mainIds()).containsExactly(0L, 1L, 2L);
    }

    @Test
    void aCompactionOfTheDeadLetterTableThatWinsARaceWithTheMarkingIsReadAgain() {
        InMemoryLakeTable letters = new InMemoryLakeTable("clicks_dead_letters");
        DeadLetterTable table = new DeadLetterTable(letters, "clicks", clock);
        DeadLetterReplay racing = new DeadLetterReplay(PipelineSettings.builder("clicks")
                .topics(List.of("clicks")).bootstrapServers("unused:9092").clock(clock).build(), main,
                new JsonRecordDecoder(SCHEMA), table);
        table.write(new DeadLetterBatch("clicks", "a", 0, List.of(new OffsetRange("clicks", 0, 0, 2)),
                List.of(letter(0, DeadLetterReason.INVALID_JSON), letter(1, DeadLetterReason.INVALID_JSON))));
        main.createIfAbsent(SCHEMA);
        // The first marking loses to a concurrent rewrite of the same files.
        letters.failNextCommits(1, () -> new dev.lakehouse.table.RewriteConflictException(
                "UPDATE of clicks_dead_letters not committed: 1 files were removed by another commit", List.of()));

        DeadLetterReplay.Report report = racing.run(Set.of(), false);

        assertThat(report.replayed()).isEqualTo(2);
        assertThat(mainIds()).containsExactly(0L, 1L);
        assertThat(table.readAll()).allSatisfy(s -> assertThat(s.replayState()).isEqualTo(ReplayState.REPLAYED));
    }

    @Test
    void aReplayInterruptedAfterItsMainCommitIsOnlyMarkedByTheNextOne() {
        // The main commit lands, then marking the letters REPLAYED fails (the dead-letter table is unreachable).
        InMemoryLakeTable flakyLetters = new InMemoryLakeTable("flaky_dead_letters");
        DeadLetterTable letters = new DeadLetterTable(flakyLetters, "clicks", clock);
        letters.write(new DeadLetterBatch("clicks", "a", 0, List.of(new OffsetRange("clicks", 0, 0, 2)),
                List.of(letter(0, DeadLetterReason.UNKNOWN_SCHEMA_ID), letter(1, DeadLetterReason.UNKNOWN_SCHEMA_ID))));
        DeadLetterReplay flaky = new DeadLetterReplay(PipelineSettings.builder("clicks").topics(List.of("clicks"))
                .bootstrapServers("unused:9092").clock(clock).build(), main, new JsonRecordDecoder(SCHEMA), letters);
        main.createIfAbsent(SCHEMA);
        main.afterNextCommit(() -> flakyLetters.failNextCommits(1,
                () -> new java.io.UncheckedIOException("down", new java.io.IOException("down"))));

        assertThatThrownBy(() -> flaky.run(Set.of(), false)).isInstanceOf(java.io.UncheckedIOException.class);
        assertThat(mainIds()).containsExactly(0L, 1L);
        DeadLetterReplay.Report next = flaky.run(Set.of(), false);

        assertThat(next.recovered()).isEqualTo(2);
        assertThat(next.replayed()).isZero();
        assertThat(mainIds()).as("not ingested twice").containsExactly(0L, 1L);
    }

    @Test
    void aReplayInterruptedAfterItsMainCommitIsOnlyMarkedEvenAfterTheDeadLetterTableWasCompacted() {
        // Both tables on one manual clock, so file times and commit times are comparable.
        dev.lakehouse.table.TableOptions mainOptions = dev.lakehouse.table.TableOptions.builder("memory://clicks")
                .clock(clock).build();
        dev.lakehouse.table.TableOptions letterOptions = dev.lakehouse.table.TableOptions
                .builder("memory://clicks_dead_letters").clock(clock).build();
        InMemoryLakeTable mainTable = new InMemoryLakeTable(mainOptions);
        InMemoryLakeTable flakyLetters = new InMemoryLakeTable(letterOptions);
        DeadLetterTable letters = new DeadLetterTable(flakyLetters, "clicks", clock);
        letters.write(new DeadLetterBatch("clicks", "a", 0, List.of(new OffsetRange("clicks", 0, 0, 2)),
                List.of(letter(0, DeadLetterReason.UNKNOWN_SCHEMA_ID), letter(1, DeadLetterReason.UNKNOWN_SCHEMA_ID))));
        DeadLetterReplay flaky = new DeadLetterReplay(PipelineSettings.builder("clicks").topics(List.of("clicks"))
                .bootstrapServers("unused:9092").clock(clock).build(), mainTable, new JsonRecordDecoder(SCHEMA),
                letters);
        mainTable.createIfAbsent(SCHEMA);
        mainTable.afterNextCommit(() -> flakyLetters.failNextCommits(1,
                () -> new java.io.UncheckedIOException("down", new java.io.IOException("down"))));
        assertThatThrownBy(() -> flaky.run(Set.of(), false)).isInstanceOf(java.io.UncheckedIOException.class);

        // Two hours later the dead-letter table is compacted: its files are new, with new modification times.
        clock.advance(java.time.Duration.ofHours(2));
        List<dev.lakehouse.table.DataFile> files = flakyLetters.snapshot().files();
        flakyLetters.rewrite(new dev.lakehouse.table.FileRewrite(files, flakyLetters.copyRows(files, 1, 1), false,
                "OPTIMIZE", java.util.Map.of(), java.util.Map.of()));
        DeadLetterReplay.Report next = flaky.run(Set.of(), false);

        assertThat(next.recovered()).isEqualTo(2);
        assertThat(next.replayed()).isZero();
        assertThat(mainTable.rows().stream().map(r -> r.get("id")).sorted().toList()).as("not ingested twice")
                .containsExactly(0L, 1L);
    }

    @Test
    void aBacklogLargerThanTheByteBudgetIsReplayedInPartsEachWithinTheBudgetAndEachLetterOnce() {
        // 60 letters of about 1 KiB each through a 4 KiB budget: parts of at most four letters.
        String padding = "p".repeat(1000);
        List<DeadLetter> letters = new java.util.ArrayList<>();
        for (long offset = 0; offset < 60; offset++) {
            letters.add(new DeadLetter("clicks", (int) (offset % 2), offset, -1, "NoTimestampType", null,
                    ("{\"id\": " + offset + ", \"note\": \"" + padding + "\"}").getBytes(StandardCharsets.UTF_8),
                    List.of(), DeadLetterReason.UNKNOWN_SCHEMA_ID, "was bad", ""));
        }
        deadLetters.write(new DeadLetterBatch("clicks", "a", 0, List.of(new OffsetRange("clicks", 0, 0, 60),
                new OffsetRange("clicks", 1, 0, 60)), letters));
        main.createIfAbsent(SCHEMA);
        DeadLetterReplay bounded = new DeadLetterReplay(PipelineSettings.builder("clicks").topics(List.of("clicks"))
                .bootstrapServers("unused:9092").clock(clock).maxBytesInFlight(4096).build(), main,
                new JsonRecordDecoder(SCHEMA), deadLetters);

        DeadLetterReplay.Report report = bounded.run(Set.of(), false);

        assertThat(report.replayed()).isEqualTo(60);
        assertThat(mainIds()).hasSize(60).doesNotHaveDuplicates();
        long replayCommits = main.history(Integer.MAX_VALUE).stream()
                .filter(c -> "clicks@dead-letter-replay".equals(c.parameters().get("queryId"))).count();
        assertThat(replayCommits).as("parts of at most 4 letters").isGreaterThanOrEqualTo(15);
        assertThat(main.history(Integer.MAX_VALUE).stream()
                .filter(c -> "clicks@dead-letter-replay".equals(c.parameters().get("queryId")))
                .mapToInt(c -> Integer.parseInt(c.parameters().getOrDefault("deadLettersReplayed", "0"))))
                .allSatisfy(n -> assertThat(n).isBetween(1, 4));
        assertThat(report.replayId()).as("the last part's id").isEqualTo(replayCommits - 1);
        assertThat(deadLetters.replayMarks().states()).allSatisfy(s -> assertThat(s.replayState()).isEqualTo(ReplayState.REPLAYED));
        assertThat(bounded.run(Set.of(), false).replayed()).as("nothing twice").isZero();
        assertThat(mainIds()).hasSize(60);
    }
}
