package dev.lakehouse.app.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The module arrows of docs/DESIGN.md, checked on the production classes of every module: common ← table-format
 * ← ingest-engine, compaction ← web-console ← app. The console sees pipelines, dead letters and maintenance only
 * through the views their modules define.
 */
class ModuleRulesTest {

    private static JavaClasses production;

    @BeforeAll
    static void importClasses() {
        // The other modules are jars on this module's class path; their test jars are left out.
        production = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(location -> !location.contains("-tests.jar"))
                .importPackages("dev.lakehouse");
    }

    @Test
    void theSharedSeamsDependOnNoModule() {
        noClasses().that().resideInAPackage("dev.lakehouse.common..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.lakehouse.table..", "dev.lakehouse.ingest..",
                        "dev.lakehouse.compaction..", "dev.lakehouse.console..", "dev.lakehouse.app..")
                .check(production);
    }

    @Test
    void theTableLayerKnowsNothingAboveIt() {
        noClasses().that().resideInAPackage("dev.lakehouse.table..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.lakehouse.ingest..",
                        "dev.lakehouse.compaction..", "dev.lakehouse.console..", "dev.lakehouse.app..",
                        "dev.lakehouse.registry..", "org.apache.kafka..")
                .check(production);
    }

    @Test
    void ingestionAndCompactionKnowNeitherEachOtherNorTheConsoleNorTheApp() {
        noClasses().that().resideInAPackage("dev.lakehouse.ingest..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.lakehouse.compaction..",
                        "dev.lakehouse.console..", "dev.lakehouse.app..")
                .check(production);
        noClasses().that().resideInAPackage("dev.lakehouse.compaction..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.lakehouse.ingest..",
                        "dev.lakehouse.console..", "dev.lakehouse.app..", "org.apache.kafka..")
                .check(production);
    }

    @Test
    void theTableLayersPackagesKeepToTheirJobs() {
        // Data files know nothing of the log, locks or leases; storage knows nothing of files or the log's contents.
        noClasses().that().resideInAPackage("dev.lakehouse.table.parquet..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.lakehouse.table.delta..",
                        "dev.lakehouse.table.storage..", "io.delta..")
                .check(production);
        noClasses().that().resideInAPackage("dev.lakehouse.table.storage..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.lakehouse.table.delta..",
                        "dev.lakehouse.table.parquet..", "org.apache.parquet..")
                .check(production);
        // Above the table layer only its contract (and the leases) are visible: how a table is kept may change.
        noClasses().that().resideOutsideOfPackage("dev.lakehouse.table..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.lakehouse.table.delta..",
                        "dev.lakehouse.table.parquet..", "io.delta.standalone..")
                .check(production);
    }

    @Test
    void ingestionsPackagesPointOneWay() {
        // pipeline (dev.lakehouse.ingest) -> decode -> deadletter: decoders name dead-letter reasons, dead letters
        // know nothing of decoding or of the pipeline that sends them.
        noClasses().that().resideInAPackage("dev.lakehouse.ingest.deadletter..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.lakehouse.ingest", "dev.lakehouse.ingest.decode..")
                .check(production);
        noClasses().that().resideInAPackage("dev.lakehouse.ingest.decode..")
                .should().dependOnClassesThat().resideInAPackage("dev.lakehouse.ingest")
                .check(production);
        // The pipeline's settings, its status, its Kafka seams and the process's shared resources are below the
        // pipeline: they know nothing of the poll loop, the lanes or the writers that use them.
        noClasses().that().resideInAnyPackage("dev.lakehouse.ingest.settings..", "dev.lakehouse.ingest.status..",
                        "dev.lakehouse.ingest.source..", "dev.lakehouse.ingest.resources..")
                .should().dependOnClassesThat().resideInAPackage("dev.lakehouse.ingest")
                .check(production);
        // Status is read by the console: it knows nothing of how a pipeline is configured or run.
        noClasses().that().resideInAPackage("dev.lakehouse.ingest.status..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.lakehouse.ingest.settings..",
                        "dev.lakehouse.ingest.resources..", "dev.lakehouse.ingest.decode..")
                .check(production);
        // Kafka's seams and the shared resources stand alone.
        noClasses().that().resideInAnyPackage("dev.lakehouse.ingest.source..", "dev.lakehouse.ingest.resources..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.lakehouse.ingest.settings..",
                        "dev.lakehouse.ingest.status..", "dev.lakehouse.ingest.decode..",
                        "dev.lakehouse.ingest.deadletter..")
                .check(production);
    }

    @Test
    void theConsoleSeesPipelinesDeadLettersAndMaintenanceOnlyThroughTheirViews() {
        noClasses().that().resideInAPackage("dev.lakehouse.console..")
                .should().dependOnClassesThat().haveFullyQualifiedName("dev.lakehouse.ingest.IngestPipeline")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("dev.lakehouse.ingest.TopicFanIn")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("dev.lakehouse.ingest.FanInTable")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("dev.lakehouse.ingest.deadletter.DeadLetterTable")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("dev.lakehouse.ingest.deadletter.DeadLetterTopic")
                .orShould().dependOnClassesThat()
                .haveFullyQualifiedName("dev.lakehouse.compaction.MaintenanceScheduler")
                .orShould().dependOnClassesThat().resideInAnyPackage("dev.lakehouse.app..",
                        "org.apache.kafka.clients.admin..", "dev.lakehouse.registry..", "org.quartz..")
                .check(production);
    }

    @Test
    void onlyTheDemoRunsTheLocalBrokerAndRegistryAndNothingRunsTestCode() {
        noClasses().that().resideOutsideOfPackages("dev.lakehouse.app.demo..", "dev.lakehouse.kafka.local..",
                        "dev.lakehouse.registry.server..", "dev.lakehouse.benchmarks..", "dev.lakehouse.testkit..",
                        "dev.lakehouse.s3.local..")
                .and().doNotHaveFullyQualifiedName("dev.lakehouse.app.DemoCommand")
                .should().dependOnClassesThat().resideInAnyPackage("dev.lakehouse.kafka.local..",
                        "dev.lakehouse.registry.server..", "dev.lakehouse.s3.local..")
                .check(production);
        noClasses().that().resideOutsideOfPackage("dev.lakehouse.testkit..")
                .should().dependOnClassesThat().resideInAPackage("dev.lakehouse.testkit..")
                .check(production);
    }

    @Test
    void engineCodeWaitsThroughTheSleeperSeam() {
        noClasses().that().resideInAnyPackage("dev.lakehouse.ingest..", "dev.lakehouse.table..",
                        "dev.lakehouse.compaction..", "dev.lakehouse.console..")
                .should().callMethod(Thread.class, "sleep", long.class)
                .check(production);
    }

    @Test
    void noTwoTopLevelClassesShareAName() {
        // A reader who meets a name should not have to ask which of two it is.
        java.util.Map<String, java.util.List<String>> byName = new java.util.TreeMap<>();
        production.stream().filter(c -> c.isTopLevelClass() && !c.getSimpleName().equals("package-info"))
                .forEach(c -> byName.computeIfAbsent(c.getSimpleName(), n -> new java.util.ArrayList<>())
                        .add(c.getName()));
        org.assertj.core.api.Assertions.assertThat(byName.values()).as("production classes sharing a name")
                .allMatch(names -> names.size() == 1);
    }
}
