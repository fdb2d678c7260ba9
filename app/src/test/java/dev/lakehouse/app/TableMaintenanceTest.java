package dev.lakehouse.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lakehouse.app.config.ApplianceConfig.PipelineConfig;
import dev.lakehouse.app.config.ConfigLoader;
import dev.lakehouse.compaction.MaintenanceScheduler;
import dev.lakehouse.table.LakeTable;
import dev.lakehouse.table.TableOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the appliance maintains: the table (sorted as configured) and its dead-letter table, on one schedule. */
class TableMaintenanceTest {

    @TempDir
    Path dir;

    private PipelineConfig pipeline() {
        return ConfigLoader.parse("""
                pipelines:
                  - name: orders
                    source: {bootstrap-servers: "k:9092", topics: [orders]}
                    registry: {url: "http://r:8081"}
                    table:
                      location: %s
                    compaction:
                      schedule: 7m
                      vacuum-schedule: 2d
                      sort-by: [customer_id, created_at]
                """.formatted(dir.resolve("orders").toUri()), "x.yaml", null).pipelines().get(0);
    }

    @Test
    void theDeadLetterTableIsCompactedAndVacuumedOnTheTablesScheduleWithoutItsSortColumns() {
        PipelineConfig pipeline = pipeline();
        LakeTable table = LakeTable.open(TableOptions.builder(pipeline.table().location()).build());
        LakeTable deadLetters = LakeTable.open(TableOptions.builder(pipeline.deadLetters().tableLocation()).build());

        MaintenanceScheduler.TableMaintenance main = PipelineParts.maintenance(pipeline, table);
        MaintenanceScheduler.TableMaintenance letters = PipelineParts.deadLetterMaintenance(pipeline, deadLetters);

        assertThat(main.compaction().sortBy()).containsExactly("customer_id", "created_at");
        assertThat(letters.name()).isEqualTo("orders.dead_letters");
        assertThat(letters.table()).isSameAs(deadLetters);
        assertThat(letters.compactSchedule()).isEqualTo(main.compactSchedule())
                .isEqualTo(MaintenanceScheduler.Schedule.every(Duration.ofMinutes(7)));
        assertThat(letters.vacuumSchedule()).isEqualTo(main.vacuumSchedule());
        assertThat(letters.compaction().sortBy()).as("the letters have other columns").isEmpty();
    }

    @Test
    void anApplianceSchedulesBothTables() {
        try (Appliance appliance = Appliance.create(new dev.lakehouse.app.config.ApplianceConfig(List.of(pipeline()),
                dev.lakehouse.app.config.ApplianceConfig.ConsoleConfig.defaults()))) {
            assertThat(appliance.maintenance().tableNames()).containsExactlyInAnyOrder("orders",
                    "orders.dead_letters");
        }
    }
}
