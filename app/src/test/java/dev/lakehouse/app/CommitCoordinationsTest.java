package dev.lakehouse.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lakehouse.app.config.ApplianceConfig.TableConfig;
import dev.lakehouse.app.config.ConfigLoader;
import dev.lakehouse.table.CommitCoordination;
import dev.lakehouse.table.TableOptions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which tables commit with conditional puts, from the setting and what the store answered. */
class CommitCoordinationsTest {

    private final List<String> probed = new ArrayList<>();

    private CommitCoordinations answering(boolean supported) {
        return new CommitCoordinations(options -> {
            probed.add(options.location());
            return supported;
        });
    }

    private static TableConfig table(String location, String coordination) {
        return ConfigLoader.parse("""
                pipelines:
                  - name: orders
                    source: {bootstrap-servers: "k:9092", topics: [orders]}
                    registry: {url: "http://r:8081"}
                    table:
                      location: %s
                      commit-coordination: %s
                      hadoop: {fs.s3a.endpoint: "http://minio:9000"}
                """.formatted(location, coordination), "x.yaml", null).pipelines().get(0).table();
    }

    private static CommitCoordination decide(CommitCoordinations coordinations, TableConfig table) {
        TableOptions.Builder options = TableOptions.builder(table.location());
        table.hadoop().forEach(options::hadoopProperty);
        coordinations.configure(options, table.location(), table);
        return options.build().commitCoordination();
    }

    @Test
    void autoTakesConditionalPutsWhereTheStoreHonoursThemAndTheLeaseElsewhere() {
        assertThat(decide(answering(true), table("s3a://lake/orders", "auto")))
                .isEqualTo(CommitCoordination.CONDITIONAL_PUT);
        assertThat(decide(answering(false), table("s3a://lake/orders", "auto")))
                .isEqualTo(CommitCoordination.WRITER_LEASE);
    }

    @Test
    void eachStoreIsProbedOnceAndLocalTablesOrTheLeaseNever() {
        CommitCoordinations coordinations = answering(true);
        decide(coordinations, table("s3a://lake/orders", "auto"));
        decide(coordinations, table("s3a://lake/orders_dead_letters", "auto"));
        decide(coordinations, table("s3a://other-bucket/orders", "auto"));
        assertThat(probed).containsExactly("s3a://lake/orders", "s3a://other-bucket/orders");

        assertThat(decide(coordinations, table("file:///data/orders", "auto")))
                .isEqualTo(CommitCoordination.LOCAL_FILE_LOCK);
        assertThat(decide(answering(true), table("s3a://third/orders", "lease")))
                .as("lease keeps the single-writer log store").isEqualTo(CommitCoordination.WRITER_LEASE);
        assertThat(probed).hasSize(2);
    }

    @Test
    void conditionalPutOnAStoreWithoutItIsRefusedWithWhatToDo() {
        assertThatThrownBy(() -> decide(answering(false), table("s3a://lake/orders", "conditional-put")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("did not refuse a second write of one key with If-None-Match: *")
                .hasMessageContaining("set commit-coordination to auto or lease");
        assertThatThrownBy(() -> table("file:///data/orders", "conditional-put"))
                .hasMessageContaining("commit-coordination: is conditional-put, which needs an s3a:// table");
    }
}
