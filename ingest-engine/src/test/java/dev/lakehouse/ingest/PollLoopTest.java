package dev.lakehouse.ingest;

import dev.lakehouse.ingest.deadletter.DeadLetter;
import dev.lakehouse.ingest.deadletter.DeadLetterDestination;
import dev.lakehouse.ingest.deadletter.DeadLetterReason;
import dev.lakehouse.ingest.decode.JsonRecordDecoder;
import dev.lakehouse.ingest.settings.OffsetGapPolicy;
import dev.lakehouse.ingest.settings.PipelineSettings;
import dev.lakehouse.ingest.settings.PipelineSettingsBuilder;
import dev.lakehouse.ingest.settings.StartingPosition;
import dev.lakehouse.ingest.settings.TopicRecreatedPolicy;
import dev.lakehouse.ingest.source.OffsetsExpiredException;
import dev.lakehouse.ingest.source.TopicRecreatedException;
import dev.lakehouse.ingest.status.BatchOutcome;
import dev.lakehouse.ingest.status.BatchProgress;
import dev.lakehouse.ingest.status.PartitionLag;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lakehouse.table.BatchCommit;
import dev.lakehouse.table.InMemoryLakeTable;
import dev.lakehouse.table.OffsetRange;
import dev.lakehouse.table.TableCommit;
import dev.lakehouse.testkit.ManualClock;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetCommitCallback;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * The poll loop's pieces (assignment, resync, pause, the offset-gap policy) against Kafka's {@link MockConsumer}
 * and an in-memory table. The loop runs on the test thread; poll tasks play the broker's part.
 */
class PollLoopTest {

    private static final Schema SCHEMA = SchemaBuilder.record("Order").fields().requiredLong("id").endRecord();
    private static final TopicPartition T0 = new TopicPartition("t", 0);
    /** A guard against a loop that never reaches its goal; the assertions that follow say what went wrong. */
    private static final long GIVE_UP_NANOS = TimeUnit.SECONDS.toNanos(20);

    private final InMemoryLakeTable table = new InMemoryLakeTable("orders");
    private final RecordingDeadLetters deadLetters = new RecordingDeadLetters();
    private final List<BatchProgress> progress = new CopyOnWriteArrayList<>();
    private final SeekRecordingConsumer consumer = new SeekRecordingConsumer();
    /** The id the test's topic "t" has now; null: not known. */
    private volatile String topicId;

    /** Records every seek, so a test can tell a resync from the first positioning, and the group offsets. */
    private static final class SeekRecordingConsumer extends MockConsumer<byte[], byte[]> {
        final List<Long> seeks = new CopyOnWriteArrayList<>();
        final Map<TopicPartition, Long> groupOffsets = new java.util.concurrent.ConcurrentHashMap<>();

        SeekRecordingConsumer() {
            super("none");
        }

        @Override
        public synchronized void seek(TopicPartition partition, long offset) {
            seeks.add(offset);
            super.seek(partition, offset);
        }

        @Override
        public synchronized void commitAsync(Map<TopicPartition, OffsetAndMetadata> offsets,
                                             OffsetCommitCallback callback) {
            offsets.forEach((p, o) -> groupOffsets.put(p, o.offset()));
            super.commitAsync(offsets, callback);
        }

        @Override
        public synchronized void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
            offsets.forEach((p, o) -> groupOffsets.put(p, o.offset()));
            super.commitSync(offsets);
        }
    }

    private PipelineSettingsBuilder settings() {
        return PipelineSettings.builder("orders").instanceId("a").topics(List.of("t"))
                .bootstrapServers("unused:9092").consumerFactory(properties -> consumer)
                .topicIds(topics -> topicId == null ? Map.of() : Map.of("t", topicId));
    }

    private PollLoop loop(PipelineSettings settings) {
        PollLoop.Observer observer = new PollLoop.Observer() {
            @Override
            public void committed(BatchPlanner.PlannedBatch batch, BatchProgress p) {
            }

            @Override
            public void lag(List<PartitionLag> partitions) {
            }
        };
        return new PollLoop(settings, table, new JsonRecordDecoder(SCHEMA), deadLetters, new BatchIdSequence(),
                settings.source().catchUpOnly() ? new CatchUpTargets() : null,
                progress::add, observer);
    }

    private static ConsumerRecord<byte[], byte[]> order(long offset) {
        return new ConsumerRecord<>("t", 0, offset, null, ("{\"id\": " + offset + "}").getBytes(StandardCharsets.UTF_8));
    }

    /** Assigns T0 (inside a poll, as a real rebalance would) and makes offsets [from, to) available. */
    private void assignWithRecords(long from, long to) {
        consumer.schedulePollTask(() -> {
            consumer.updateBeginningOffsets(Map.of(T0, 0L));
            consumer.rebalance(List.of(T0));
            addRecords(from, to);
        });
    }

    /** As {@link #assignWithRecords}, the end offset known before the assignment (as a broker knows it). */
    private void assignAtEnd(long from, long to) {
        consumer.schedulePollTask(() -> {
            consumer.updateBeginningOffsets(Map.of(T0, 0L));
            consumer.updateEndOffsets(Map.of(T0, to));
            consumer.rebalance(List.of(T0));
            addRecords(from, to);
        });
    }

    /** Another consumer (a later run's), to which T0 is assigned with offsets [from, to) at its first poll. */
    private static SeekRecordingConsumer assignedWithRecords(long from, long to) {
        SeekRecordingConsumer next = new SeekRecordingConsumer();
        next.schedulePollTask(() -> {
            next.updateBeginningOffsets(Map.of(T0, 0L));
            next.updateEndOffsets(Map.of(T0, to));
            next.rebalance(List.of(T0));
            for (long offset = from; offset < to; offset++) {
                next.addRecord(order(offset));
            }
        });
        return next;
    }

    private void addRecords(long from, long to) {
        consumer.updateBeginningOffsets(Map.of(T0, 0L));
        consumer.updateEndOffsets(Map.of(T0, to));
        for (long offset = from; offset < to; offset++) {
            consumer.addRecord(order(offset));
        }
    }

    /** Stops when {@code goal} holds, or when the guard runs out. */
    private static BooleanSupplier until(BooleanSupplier goal) {
        long deadline = System.nanoTime() + GIVE_UP_NANOS;
        return () -> goal.getAsBoolean() || System.nanoTime() > deadline;
    }

    private List<Object> ids() {
        return table.rows().stream().map(r -> r.get("id")).toList();
    }

    private void tableHolds(long batchId, String instance, long start, long next) {
        table.commit(new BatchCommit("orders", instance, batchId, List.of(),
                List.of(new OffsetRange("t", 0, start, next)), Map.of()));
    }

    @Test
    void anAssignedPartitionStartsAtTheTablesOffsetAndTheBacklogIsCommittedOnceCaughtUp() {
        table.createIfAbsent(SCHEMA);
        tableHolds(3, "a", 0, 5);
        assignWithRecords(0, 8);

        loop(settings().build()).run(until(() -> table.txnVersion("orders/t/0") == 8));

        assertThat(ids()).containsExactly(5L, 6L, 7L);
        assertThat(consumer.seeks).startsWith(5L);
        assertThat(table.txnVersion(BatchCommit.batchAppId("orders", "a")))
                .as("batch ids continue after the one the table holds").isEqualTo(4);
        assertThat(consumer.groupOffsets).as("group offsets, for monitoring").containsEntry(T0, 8L);
    }

    @Test
    void aFirstBatchWhoseTableCreationOutlastedItsDueTimeClosesAfterThePollThatReadIt() {
        ManualClock clock = new ManualClock(java.time.Instant.ofEpochMilli(1_000_000));
        table.onCreate(() -> clock.advance(java.time.Duration.ofSeconds(2))); // creating the table takes 2 s
        consumer.schedulePollTask(() -> {
            consumer.updateBeginningOffsets(Map.of(T0, 0L));
            consumer.updateEndOffsets(Map.of(T0, 1_000L)); // a longer backlog: not caught up after this poll
            consumer.rebalance(List.of(T0));
            for (long offset = 0; offset < 3; offset++) {
                consumer.addRecord(order(offset));
            }
        });

        // The manual clock stands still from here: only the time the creation took can make the batch due.
        AtomicBoolean committedWhileRunning = new AtomicBoolean();
        loop(settings().triggerInterval(java.time.Duration.ofSeconds(1)).clock(clock).build())
                .run(until(() -> {
                    committedWhileRunning.set(table.txnVersion("orders/t/0") >= 0);
                    return committedWhileRunning.get();
                }));

        assertThat(committedWhileRunning).as("committed while running, not by the stop").isTrue();
        assertThat(table.txnVersion("orders/t/0")).as("the first commit holds the records of the first poll")
                .isEqualTo(3);
    }

    @Test
    void aBatchThatFallsDueWhileAPollIsConvertedClosesAtTheNextChunkNotAtThePollsEnd() {
        ManualClock clock = new ManualClock(java.time.Instant.ofEpochMilli(1_000_000));
        // Creating the table takes 300 ms: the first batch (due a quarter of the 1 s trigger after its first
        // record was read) falls due while the first record of the poll is converted.
        table.onCreate(() -> clock.advance(java.time.Duration.ofMillis(300)));
        long polled = 3L * PollLoop.CHUNK_ROWS;
        consumer.schedulePollTask(() -> {
            consumer.updateBeginningOffsets(Map.of(T0, 0L));
            consumer.rebalance(List.of(T0));
            addRecords(0, polled);
            consumer.updateEndOffsets(Map.of(T0, 100_000L)); // a longer backlog: not caught up after this poll
        });

        loop(settings().triggerInterval(java.time.Duration.ofSeconds(1)).clock(clock).build())
                .run(until(() -> table.txnVersion("orders/t/0") >= 0));

        assertThat(progress).as("the first batch and the rest, committed by the stop").hasSize(2);
        assertThat(progress.get(0).numInputRows()).as("the first batch closed with its first chunk")
                .isEqualTo(PollLoop.CHUNK_ROWS);
        assertThat(progress.get(1).numInputRows()).as("the rest of the poll, in the next batch")
                .isEqualTo(polled - PollLoop.CHUNK_ROWS);
        assertThat(table.txnVersion("orders/t/0")).isEqualTo(polled);
    }

    @Test
    void aCatchUpRunIngestsUpToTheEndOffsetsReadAtAssignmentCommitsAndReturnsByItself() {
        table.createIfAbsent(SCHEMA);
        tableHolds(0, "a", 0, 2);
        assignAtEnd(0, 6);
        // Records produced after the assignment (offsets 6-8) are beyond this run's end.
        consumer.schedulePollTask(() -> addRecords(6, 9));
        AtomicBoolean guardFired = new AtomicBoolean();
        BooleanSupplier guard = until(() -> false);

        loop(settings().catchUpOnly(true).build()).run(() -> {
            boolean fired = guard.getAsBoolean();
            guardFired.set(fired);
            return fired;
        });

        assertThat(guardFired).as("the run ended by itself, not by a stop").isFalse();
        assertThat(ids()).containsExactly(2L, 3L, 4L, 5L);
        assertThat(table.txnVersion("orders/t/0")).isEqualTo(6);
        assertThat(consumer.groupOffsets).containsEntry(T0, 6L);
    }

    @Test
    void aCatchUpRunWhoseTableIsAlreadyAtTheEndCommitsNothingAndReturns() {
        table.createIfAbsent(SCHEMA);
        tableHolds(0, "a", 0, 4);
        assignAtEnd(0, 4);
        long versionBefore = table.snapshot().version();
        AtomicBoolean guardFired = new AtomicBoolean();
        BooleanSupplier guard = until(() -> false);

        loop(settings().catchUpOnly(true).build()).run(() -> {
            guardFired.set(guard.getAsBoolean());
            return guardFired.get();
        });

        assertThat(guardFired).isFalse();
        assertThat(table.snapshot().version()).isEqualTo(versionBefore);
    }

    @Test
    void whileACommitTakesLongerThanTheTriggerTheNextBatchGrowsInsteadOfClosingAtEveryPoll() {
        table.createIfAbsent(SCHEMA);
        ManualClock clock = new ManualClock(java.time.Instant.ofEpochMilli(1_000_000));
        java.util.concurrent.CountDownLatch commitMayFinish = new java.util.concurrent.CountDownLatch(1);
        // The first batch's commit hangs (slow storage, a backlog after a restart) until the test lets it go.
        table.beforeNextCommit(() -> {
            try {
                commitMayFinish.await(30, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assignWithRecords(0, 100);
        for (int poll = 1; poll <= 8; poll++) {
            long from = poll * 100L;
            consumer.schedulePollTask(() -> {
                clock.advance(java.time.Duration.ofMillis(1_100)); // every poll finds the open batch due
                addRecords(from, from + 100);
            });
        }
        consumer.schedulePollTask(commitMayFinish::countDown);

        loop(settings().triggerInterval(java.time.Duration.ofSeconds(1)).clock(clock).build())
                .run(until(() -> table.txnVersion("orders/t/0") == 900));

        assertThat(table.txnVersion("orders/t/0")).isEqualTo(900);
        List<Long> rowsPerBatch = progress.stream().filter(p -> p.outcome() == BatchOutcome.COMMITTED)
                .map(BatchProgress::numInputRows).toList();
        // The first batch, then everything read while it committed in one: not one batch of 100 per poll.
        assertThat(rowsPerBatch).as("rows of each committed batch").hasSizeLessThanOrEqualTo(3);
        assertThat(rowsPerBatch.stream().mapToLong(Long::longValue).sum()).isEqualTo(900);
    }

    @Test
    void aCatchUpRunTheGroupGivesNoPartitionEndsByItselfOnceTheGroupHasSettled() {
        // A 1-partition topic owned by a running appliance: the catch-up run joins and is given nothing.
        table.createIfAbsent(SCHEMA);
        ManualClock clock = new ManualClock(java.time.Instant.ofEpochMilli(1_000_000));
        consumer.schedulePollTask(() -> consumer.rebalance(List.of()));
        for (int i = 0; i < 20; i++) {
            consumer.schedulePollTask(() -> clock.advance(java.time.Duration.ofSeconds(2)));
        }
        AtomicBoolean guardFired = new AtomicBoolean();
        BooleanSupplier guard = until(() -> false);

        loop(settings().catchUpOnly(true).clock(clock).build()).run(() -> {
            guardFired.set(guard.getAsBoolean());
            return guardFired.get();
        });

        assertThat(guardFired).as("the run ended by itself, not by a stop").isFalse();
        assertThat(clock.millis() - 1_000_000).as("after the settle time, not before")
                .isGreaterThanOrEqualTo(PollLoop.CATCH_UP_SETTLE.toMillis()).isLessThan(20_000);
        assertThat(table.rows()).isEmpty();
    }

    @Test
    void aCatchUpRunRestartedAfterAFailureAimsAtTheEndsItFirstRead() {
        table.createIfAbsent(SCHEMA);
        CatchUpTargets targets = new CatchUpTargets();
        consumer.updateEndOffsets(Map.of(T0, 3L));
        targets.assigned(List.of(T0), consumer);
        consumer.updateEndOffsets(Map.of(T0, 10L));
        targets.assigned(List.of(T0), consumer);

        assertThat(targets.ends()).containsEntry(T0, 3L);
        assertThat(targets.beyond(T0, 2)).isFalse();
        assertThat(targets.beyond(T0, 3)).isTrue();
        assertThat(targets.beyond(new TopicPartition("t", 1), 1_000)).as("no end read: not beyond").isFalse();
    }

    @Test
    void withKafkaMetadataEveryRowCarriesItsRecordAndAnExistingTableGainsTheColumn() {
        table.createIfAbsent(SCHEMA);
        consumer.schedulePollTask(() -> {
            consumer.updateBeginningOffsets(Map.of(T0, 0L));
            consumer.updateEndOffsets(Map.of(T0, 2L));
            consumer.rebalance(List.of(T0));
            consumer.addRecord(new ConsumerRecord<>("t", 0, 0, "k0".getBytes(StandardCharsets.UTF_8),
                    "{\"id\": 0}".getBytes(StandardCharsets.UTF_8)));
            consumer.addRecord(new ConsumerRecord<>("t", 0, 1, null, "{\"id\": 1}".getBytes(StandardCharsets.UTF_8)));
        });

        loop(settings().kafkaMetadata(true).build()).run(until(() -> table.txnVersion("orders/t/0") == 2));

        assertThat(table.snapshot().avroSchema().getField("_kafka")).as("added to the existing table").isNotNull();
        List<org.apache.avro.generic.GenericRecord> metadata = table.rows().stream()
                .map(r -> (org.apache.avro.generic.GenericRecord) r.get("_kafka")).toList();
        assertThat(metadata).extracting(m -> m.get("topic").toString()).containsExactly("t", "t");
        assertThat(metadata).extracting(m -> m.get("partition")).containsExactly(0, 0);
        assertThat(metadata).extracting(m -> m.get("offset")).containsExactly(0L, 1L);
        assertThat(metadata.get(0).get("key")).isEqualTo(java.nio.ByteBuffer.wrap("k0".getBytes(StandardCharsets.UTF_8)));
        assertThat(metadata.get(1).get("key")).as("no key").isNull();
    }

    @Test
    void withKafkaMetadataAWriterSchemaThatHasAKafkaFieldIsDeadLetteredNamingTheClash() {
        Schema clashing = SchemaBuilder.record("Order").fields().requiredLong("id").optionalString("_kafka")
                .endRecord();
        assignWithRecords(0, 1);
        PipelineSettings settings = settings().kafkaMetadata(true).build();
        PollLoop loop = new PollLoop(settings, table, new JsonRecordDecoder(clashing), deadLetters,
                new BatchIdSequence(), null, progress::add, new PollLoop.Observer() {
                    @Override
                    public void committed(BatchPlanner.PlannedBatch batch, BatchProgress p) {
                    }

                    @Override
                    public void lag(List<PartitionLag> partitions) {
                    }
                });

        loop.run(until(() -> !deadLetters.letters().isEmpty()));

        assertThat(deadLetters.letters()).singleElement().satisfies(letter -> {
            assertThat(letter.reason()).isEqualTo(DeadLetterReason.INCOMPATIBLE_SCHEMA);
            assertThat(letter.message()).contains("'_kafka'").contains("kafka-metadata");
        });
    }

    @Test
    void aBatchAnotherWriterAlreadyCommittedMakesTheLoopReadFromTheTablesOffsetsAgain() {
        table.createIfAbsent(SCHEMA);
        tableHolds(0, "a", 0, 5);
        consumer.schedulePollTask(() -> {
            consumer.updateBeginningOffsets(Map.of(T0, 0L));
            consumer.rebalance(List.of(T0));
            addRecords(5, 8);
            // Another instance takes offsets 5-7 before this one's batch of them commits.
            tableHolds(0, "b", 5, 8);
        });
        AtomicBoolean moreSent = new AtomicBoolean();
        Runnable afterResync = new Runnable() {
            @Override
            public void run() {
                if (consumer.seeks.size() >= 2) {
                    addRecords(8, 10);
                    moreSent.set(true);
                } else {
                    consumer.schedulePollTask(this);
                }
            }
        };
        consumer.schedulePollTask(afterResync);

        loop(settings().build()).run(until(() -> table.txnVersion("orders/t/0") == 10));

        assertThat(progress).extracting(BatchProgress::outcome).contains(BatchOutcome.REPLAYED_OFFSETS);
        assertThat(consumer.seeks).as("assignment, then the resync").containsExactly(5L, 8L);
        assertThat(ids()).as("offsets 5-7 are the other writer's, never this one's too").containsExactly(8L, 9L);
        assertThat(moreSent).isTrue();
    }

    @Test
    void aPausedLoopReadsNothingUntilResumed() {
        table.createIfAbsent(SCHEMA);
        assignWithRecords(0, 3);
        AtomicBoolean pause = new AtomicBoolean(true);
        List<Integer> polls = new ArrayList<>();
        PollLoop loop = loop(settings().build());

        loop.run(until(() -> {
            polls.add(1);
            if (polls.size() == 50) {
                assertThat(table.rows()).as("nothing read while paused").isEmpty();
                assertThat(consumer.paused()).containsExactly(T0);
                pause.set(false);
            }
            return table.txnVersion("orders/t/0") == 3;
        }), pause::get);

        assertThat(polls.size()).isGreaterThan(50);
        assertThat(ids()).containsExactly(0L, 1L, 2L);
    }

    @Test
    void theLatestPositionIsDecidedOnceSoARunAfterAnUncommittedStartMissesNothing() {
        // The first run starts at the end (offset 5), reads nothing and stops before any commit: no table yet.
        consumer.schedulePollTask(() -> {
            consumer.updateBeginningOffsets(Map.of(T0, 0L));
            consumer.updateEndOffsets(Map.of(T0, 5L));
            consumer.rebalance(List.of(T0));
        });
        PipelineSettingsBuilder latest = settings().startingPosition(StartingPosition.latest());
        loop(latest.build()).run(until(() -> !table.sourceFacts(List.of(dev.lakehouse.table.SourceFact.startOffset(
                new dev.lakehouse.table.SourcePartition("orders", "t", 0)))).isEmpty()));
        assertThat(table.exists()).isFalse();

        // Records 5-7 arrive; the next run (a restart, or another instance after a rebalance) must read them.
        SeekRecordingConsumer next = assignedWithRecords(5, 8);
        loop(latest.consumerFactory(properties -> next).build())
                .run(until(() -> table.exists() && table.txnVersion("orders/t/0") == 8));

        assertThat(next.seeks).as("the recorded start, not the end of now").containsExactly(5L);
        assertThat(ids()).containsExactly(5L, 6L, 7L);
    }

    @Test
    void aTopicDeletedAndCreatedAgainStopsTheRunOrUnderStartOverIsReadFromItsBeginning() {
        table.createIfAbsent(SCHEMA);
        topicId = "id-of-the-first-topic";
        assignWithRecords(0, 3);
        loop(settings().build()).run(until(() -> table.txnVersion("orders/t/0") == 3));

        topicId = "id-of-the-new-topic"; // deleted and created again: its offsets start over, at 0
        SeekRecordingConsumer again = assignedWithRecords(0, 2);
        assertThatThrownBy(() -> loop(settings().consumerFactory(p -> again).build()).run(until(() -> false)))
                .isInstanceOf(TopicRecreatedException.class).hasMessageContaining("id-of-the-first-topic")
                .hasMessageContaining("on-topic-recreated: start-over");
        assertThat(table.txnVersion("orders/t/0")).as("nothing read").isEqualTo(3);

        SeekRecordingConsumer startOver = assignedWithRecords(0, 2);
        loop(settings().consumerFactory(p -> startOver)
                .onTopicRecreated(TopicRecreatedPolicy.START_OVER).build())
                .run(until(() -> table.txnVersion("orders/t/0") == 2 && ids().size() == 5));

        assertThat(ids()).as("the old topic's rows, then the new topic's").containsExactly(0L, 1L, 2L, 0L, 1L);
        assertThat(table.history(10)).anySatisfy(c -> assertThat(c.parameters()).containsKey("topicRecreated"));
    }

    @Test
    void aCatchUpRunWhoseTopicIsCreatedAgainMidRunAimsAtTheNewTopicsEndsAndEndsByItself() {
        table.createIfAbsent(SCHEMA);
        topicId = "id-of-the-first-topic";
        // The old topic ends at 6; three of its records are read ...
        consumer.schedulePollTask(() -> {
            consumer.updateBeginningOffsets(Map.of(T0, 0L));
            consumer.updateEndOffsets(Map.of(T0, 6L));
            consumer.rebalance(List.of(T0));
            for (long offset = 0; offset < 3; offset++) {
                consumer.addRecord(order(offset));
            }
        });
        // ... then it is deleted and created again, with two records: the partition is revoked and assigned again.
        consumer.schedulePollTask(() -> {
            topicId = "id-of-the-new-topic";
            consumer.rebalance(List.of());
        });
        consumer.schedulePollTask(() -> {
            consumer.updateBeginningOffsets(Map.of(T0, 0L));
            consumer.updateEndOffsets(Map.of(T0, 2L));
            consumer.rebalance(List.of(T0));
            consumer.addRecord(order(0));
            consumer.addRecord(order(1));
        });
        AtomicBoolean guardFired = new AtomicBoolean();
        BooleanSupplier guard = until(() -> false);

        loop(settings().catchUpOnly(true).onTopicRecreated(TopicRecreatedPolicy.START_OVER).build())
                .run(() -> {
                    guardFired.set(guard.getAsBoolean());
                    return guardFired.get();
                });

        // Before, the run kept the old topic's end (6) and waited for offsets the new topic does not have.
        assertThat(guardFired).as("the run ended by itself, not by a stop").isFalse();
        assertThat(table.txnVersion("orders/t/0")).isEqualTo(2);
    }

    @Test
    void aLetterOneDestinationLacksAfterAFailedWriteIsWrittenThereByTheNextRun() {
        // A dead-letter table and a dead-letter topic: the table took the letter, then the topic failed (a crash
        // between the two writes does the same). The next run must not take the table's copy for both.
        table.createIfAbsent(SCHEMA);
        RecordingDeadLetters inTable = new RecordingDeadLetters();
        RecordingDeadLetters inTopic = new RecordingDeadLetters()
                .failNextWrites(1, () -> new org.apache.kafka.common.errors.TimeoutException("topic unreachable"));
        DeadLetterDestination both = DeadLetterDestination.all(List.of(inTable, inTopic));
        SeekRecordingConsumer first = withABadRecord();
        assertThatThrownBy(() -> loopWith(both, first).run(until(() -> false)));

        SeekRecordingConsumer second = withABadRecord();
        loopWith(both, second).run(until(() -> table.txnVersion("orders/t/0") == 3));

        assertThat(inTopic.letters()).extracting(DeadLetter::offset).containsExactly(1L);
        assertThat(ids()).containsExactly(0L, 2L);
    }

    /** A consumer assigned T0 holding orders 0 and 2 and an undecodable value at offset 1. */
    private static SeekRecordingConsumer withABadRecord() {
        SeekRecordingConsumer next = new SeekRecordingConsumer();
        next.schedulePollTask(() -> {
            next.updateBeginningOffsets(Map.of(T0, 0L));
            next.updateEndOffsets(Map.of(T0, 3L));
            next.rebalance(List.of(T0));
            next.addRecord(order(0));
            next.addRecord(new ConsumerRecord<>("t", 0, 1, null, "not json".getBytes(StandardCharsets.UTF_8)));
            next.addRecord(order(2));
        });
        return next;
    }

    private PollLoop loopWith(DeadLetterDestination letters, SeekRecordingConsumer source) {
        PipelineSettings settings = settings().consumerFactory(p -> source).build();
        PollLoop.Observer observer = new PollLoop.Observer() {
            @Override
            public void committed(BatchPlanner.PlannedBatch batch, BatchProgress p) {
            }

            @Override
            public void lag(List<PartitionLag> partitions) {
            }
        };
        return new PollLoop(settings, table, new JsonRecordDecoder(SCHEMA), letters, new BatchIdSequence(), null,
                progress::add, observer);
    }

    @Test
    void underTheSkipPolicyOffsetsRetentionDeletedAreRecordedAsSkippedAndReadingGoesOn() {
        table.createIfAbsent(SCHEMA);
        tableHolds(0, "a", 0, 5);
        consumer.schedulePollTask(() -> consumer.rebalance(List.of(T0)));
        consumer.schedulePollTask(() -> {
            consumer.updateBeginningOffsets(Map.of(T0, 9L));
            consumer.setPollException(new OffsetOutOfRangeException("gone", Map.of(T0, 5L)));
        });
        consumer.schedulePollTask(() -> addRecords(9, 11));

        loop(settings().onOffsetGap(OffsetGapPolicy.SKIP).build())
                .run(until(() -> table.txnVersion("orders/t/0") == 11));

        List<TableCommit> history = table.history(10);
        assertThat(history).anySatisfy(c -> assertThat(c.parameters())
                .containsEntry("skippedOffsets", "t-0 offsets 5 to 8"));
        assertThat(ids()).containsExactly(9L, 10L);
    }

    @Test
    void underTheFailPolicyOffsetsRetentionDeletedStopTheRunNamingThem() {
        table.createIfAbsent(SCHEMA);
        tableHolds(0, "a", 0, 5);
        consumer.schedulePollTask(() -> consumer.rebalance(List.of(T0)));
        consumer.schedulePollTask(() -> consumer.setPollException(
                new OffsetOutOfRangeException("gone", Map.of(T0, 5L))));

        assertThatThrownBy(() -> loop(settings().build()).run(until(() -> false)))
                .isInstanceOf(OffsetsExpiredException.class).hasMessageContaining("t-0 (offset 5)");
        assertThat(table.txnVersion("orders/t/0")).isEqualTo(5);
    }
}
