package dev.lakehouse.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lakehouse.app.audit.DeepAudit;
import dev.lakehouse.app.audit.DeepReport;
import dev.lakehouse.app.config.ApplianceConfig;
import dev.lakehouse.app.config.ApplianceConfig.PipelineConfig;
import dev.lakehouse.app.config.ConfigLoader;
import dev.lakehouse.table.LakeTable;
import dev.lakehouse.table.OffsetAudit;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.CommonClientConfigs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code lakehouse audit}: proves from each table's own log that every Kafka offset it took is covered exactly once
 * ({@link OffsetAudit}), prints a line per partition and every problem with its offsets, optionally writes the
 * reports as JSON, and exits 0 when every audited table is whole, 1 otherwise. Reads the log only: safe beside a
 * running appliance, on any storage, without a lease. With {@code --deep} it also reads the source topic over the
 * audited offsets and the table's {@code _kafka} column and dead letters ({@link DeepAudit}): still read-only. A
 * pipeline with a table per topic has the table of each topic it takes now audited ({@link TopicDiscovery}).
 */
@Command(name = "audit", mixinStandardHelpOptions = true,
        description = "Proves from each table's log that every Kafka offset it took is covered exactly once: no gap, "
                + "no offset taken twice, every skip and start-over explained. Exit 0 when every table is whole, 1 "
                + "otherwise.")
final class AuditCommand implements Callable<Integer> {

    @Option(names = {"-c", "--config"}, required = true, description = "The YAML configuration file.")
    Path config;

    @Option(names = {"-t", "--table", "-p", "--pipeline"}, description = "One pipeline's table (a table per topic: "
            + "<pipeline>.<topic>); default every pipeline's.")
    String pipeline;

    @Option(names = "--deep", description = "Also read the source topic over the audited offsets (read_committed) "
            + "and check every data record is in the table exactly once: by offset with the _kafka column, else by "
            + "each commit's counts.")
    boolean deep;

    @Option(names = "--from-version", description = "Audit from this table version on (default: the oldest the "
            + "log retains).")
    long fromVersion;

    @Option(names = "--report", description = "Also write the reports to this file as JSON.")
    Path report;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        ApplianceConfig appliance = ConfigLoader.load(config);
        List<PipelineConfig> pipelines = new ArrayList<>();
        if (pipeline != null) {
            pipelines.add(appliance.pipeline(pipeline, config.toString()));
        } else {
            for (PipelineConfig p : appliance.pipelines()) {
                if (p.tablePerTopic()) {
                    // The topics it takes now, found as the running appliance finds them (dead-letter topics left out).
                    List<String> topics;
                    try (TopicLister lister = p.source().topicPattern() == null ? TopicLister.empty()
                            : TopicLister.kafka(kafkaClient(p))) {
                        topics = new TopicDiscovery(p, lister, pipelines::add).discover();
                    }
                    out.printf("%s: a table per topic, %d topics now (the table of a deleted topic: --table %s.<topic>)"
                            + "%n", p.name(), topics.size(), p.name());
                } else {
                    pipelines.add(p);
                }
            }
        }
        boolean whole = true;
        List<String> json = new ArrayList<>();
        for (PipelineConfig p : pipelines) {
            LakeTable table = PipelineParts.table(p);
            if (!table.exists()) {
                out.printf("%s: no table at %s yet: nothing to audit%n", p.name(), p.table().location());
                continue;
            }
            OffsetAudit.Report result = OffsetAudit.audit(table, fromVersion);
            print(out, p.name(), result);
            whole &= result.ok();
            if (!deep) {
                json.add(result.toJson());
                continue;
            }
            DeepReport deepResult;
            try {
                deepResult = DeepAudit.run(table, PipelineParts.deadLetterTable(p), kafkaClient(p), fromVersion,
                        KAFKA_STALL_TIMEOUT, System::nanoTime);
            } catch (RuntimeException e) {
                // Kafka did not answer in time, the topic was recreated, or the span is too long to hold.
                out.printf("%s: the deep audit did not complete: %s%n", p.name(), e.getMessage());
                whole = false;
                String error = JSON.createObjectNode().put("ok", false).put("error", String.valueOf(e.getMessage()))
                        .toPrettyString();
                json.add("{\"log\": " + result.toJson() + ",\n\"deep\": " + error + "}");
                continue;
            }
            deepResult.print(out, p.name());
            whole &= deepResult.ok();
            json.add("{\"log\": " + result.toJson() + ",\n\"deep\": " + deepResult.toJson().toPrettyString() + "}");
        }
        if (report != null) {
            try {
                Files.writeString(report, "[" + String.join(",\n", json) + "]\n");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the report to " + report, e);
            }
        }
        out.flush();
        return whole ? 0 : 1;
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /** How long reading the source topic may make no progress before a deep audit gives up. */
    private static final Duration KAFKA_STALL_TIMEOUT = Duration.ofSeconds(60);

    private static Map<String, Object> kafkaClient(PipelineConfig pipeline) {
        Map<String, Object> client = new HashMap<>(PipelineParts.securityProperties(
                pipeline.source().consumerProperties()));
        client.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, pipeline.source().bootstrapServers());
        return client;
    }

    private static void print(PrintWriter out, String name, OffsetAudit.Report result) {
        out.printf("%s: %s, versions %d to %d, %d commits audited%s%n", name, result.location(), result.fromVersion(),
                result.toVersion(), result.commits(), result.logTruncated()
                        ? " (log retention removed the versions before " + result.fromVersion() + ", or --from-version"
                        + " left them out: not audited)" : "");
        for (OffsetAudit.PartitionReport p : result.partitions()) {
            out.printf("  %s-%d: offsets %d to %d (%,d), %d commits%s%s: %s%n", p.topic(), p.partition(),
                    p.firstOffset(), p.nextOffset() - 1, p.nextOffset() - p.firstOffset(), p.commits(),
                    p.skippedOffsets() > 0 ? ", " + p.skippedOffsets() + " skipped (deleted by retention)" : "",
                    p.startOvers() > 0 ? ", " + p.startOvers() + " start-overs (topic recreated)" : "",
                    p.ok() ? "every offset once" : p.problems().size() + " problems");
            p.problems().forEach(problem -> out.println("    " + problem));
        }
        out.printf("%s: %s%n", name, result.ok() ? "OK: every offset taken is in the table exactly once"
                : "NOT WHOLE: " + result.problems().size() + " problems");
    }
}
