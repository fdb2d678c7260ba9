package dev.lakehouse.app.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.lakehouse.app.config.ApplianceConfig;
import dev.lakehouse.app.config.ConfigLoader;
import dev.lakehouse.console.PasswordHash;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docker-compose.yml, the Dockerfile and deploy/lakehouse.yaml checked against each other and against the
 * appliance's configuration, since no Docker engine runs here: the appliance's config must load with exactly the
 * environment compose gives it, and every host, port, bucket and file it names must be what the other services
 * and the image provide.
 */
class DeploymentFilesTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Pattern COMPOSE_VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");

    private final JsonNode compose = read(ROOT.resolve("docker-compose.yml"));
    private final JsonNode services = compose.path("services");
    private final String dockerfile = text(ROOT.resolve("Dockerfile"));

    @Test
    void everyImageIsPinnedAndStartupWaitsForHealthyDependencies() {
        assertThat(names(services)).contains("kafka", "schema-registry", "minio", "minio-init", "lakehouse");
        for (Iterator<Map.Entry<String, JsonNode>> it = services.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> service = it.next();
            String image = service.getValue().path("image").asText();
            assertThat(image).as(service.getKey() + " has an image").isNotEmpty();
            assertThat(image).as(service.getKey() + " pins a version").matches("[^:]+:[^:]*\\d[^:]*")
                    .doesNotEndWith(":latest");
        }
        assertThat(services.path("kafka").path("image").asText()).startsWith("apache/kafka:");
        assertThat(services.path("kafka").path("environment").path("KAFKA_PROCESS_ROLES").asText())
                .isEqualTo("broker,controller");
        for (String service : List.of("kafka", "schema-registry", "minio", "lakehouse")) {
            assertThat(services.path(service).path("healthcheck").path("test").isMissingNode())
                    .as(service + " has a healthcheck").isFalse();
        }
        JsonNode dependsOn = services.path("lakehouse").path("depends_on");
        assertThat(dependsOn.path("kafka").path("condition").asText()).isEqualTo("service_healthy");
        assertThat(dependsOn.path("schema-registry").path("condition").asText()).isEqualTo("service_healthy");
        assertThat(dependsOn.path("minio-init").path("condition").asText()).isEqualTo("service_completed_successfully");
        assertThat(services.path("schema-registry").path("depends_on").path("kafka").path("condition").asText())
                .isEqualTo("service_healthy");
        assertThat(services.path("minio-init").path("depends_on").path("minio").path("condition").asText())
                .isEqualTo("service_healthy");
    }

    @Test
    void theDockerfileBuildsWithTheReadmeCommandAndRunsAsAnUnprivilegedUser() {
        List<String> stages = dockerfile.lines().filter(l -> l.startsWith("FROM ")).toList();
        assertThat(stages).hasSize(2);
        assertThat(stages).allSatisfy(from -> assertThat(from.split("\\s+")[1]).matches("[^:]+:[^:]*\\d[^:]*"));
        assertThat(stages.get(0)).contains("maven").contains("17").endsWith("AS build");
        assertThat(stages.get(1)).contains("jre");
        assertThat(dockerfile).contains("mvn -B -ntp -q -pl app -am package -DskipTests")
                .contains("COPY --from=build /src/app/target/lakehouse /opt/lakehouse")
                .contains("ENTRYPOINT [\"/opt/lakehouse/bin/lakehouse\"]");
        Matcher user = Pattern.compile("(?m)^USER (\\S+)").matcher(dockerfile);
        assertThat(user.find()).isTrue();
        assertThat(user.group(1)).isNotIn("root", "0", "0:0");
        assertThat(text(ROOT.resolve("README.md"))).contains("mvn -q -pl app -am package -DskipTests");
        // Every module the build stage copies a POM of exists, and none is missing.
        List<String> copied = new ArrayList<>();
        Matcher pom = Pattern.compile("(?m)^COPY (\\S+)/pom.xml").matcher(dockerfile);
        while (pom.find()) {
            copied.add(pom.group(1));
        }
        // The default build's modules; those of profiles (the Spark peer of a benchmark) are not in the image.
        String rootPom = text(ROOT.resolve("pom.xml"));
        String defaultModules = rootPom.substring(rootPom.indexOf("<modules>"), rootPom.indexOf("</modules>"));
        Matcher module = Pattern.compile("<module>([^<]+)</module>").matcher(defaultModules);
        List<String> modules = new ArrayList<>();
        while (module.find()) {
            modules.add(module.group(1));
        }
        assertThat(copied).containsExactlyInAnyOrderElementsOf(modules);
        assertThat(Files.isExecutable(ROOT.resolve("app/src/main/dist/bin/lakehouse"))).isTrue();
    }

    @Test
    void theClassDataArchiveIsRecordedByTheAppDirectorysOwnScriptWithItsDefaultJvmOptions() {
        // A JVM refuses an archive recorded under another heap layout and then starts without it, about a second
        // slower: the build records it with the script operators use again after a copy, and with no JVM options of
        // the building shell's, so the recording runs bin/lakehouse with its defaults, which the manual quotes.
        Matcher defaults = Pattern.compile("DEFAULT_JAVA_OPTS=\"([^\"]+)\"")
                .matcher(text(ROOT.resolve("app/src/main/dist/bin/lakehouse")));
        assertThat(defaults.find()).as("bin/lakehouse has default JVM options").isTrue();
        assertThat(text(ROOT.resolve("docs/operations.md"))).as("the operations manual quotes them")
                .contains(defaults.group(1));

        String pom = text(ROOT.resolve("app/pom.xml"));
        assertThat(pom).contains("<executable>${project.build.directory}/lakehouse/bin/record-start-up-archive"
                + "</executable>").contains("<JAVA_OPTS></JAVA_OPTS>").contains("<EXTRA_JAVA_OPTS></EXTRA_JAVA_OPTS>");
        assertThat(Files.isExecutable(ROOT.resolve("app/src/main/dist/bin/record-start-up-archive"))).isTrue();
    }

    @Test
    void theAppliancesConfigLoadsWithComposesEnvironmentAndPointsAtTheOtherServices() throws Exception {
        JsonNode appliance = services.path("lakehouse");
        String mount = appliance.path("volumes").get(0).asText();
        String[] parts = mount.split(":");
        Path configFile = ROOT.resolve(parts[0]).normalize();
        assertThat(configFile).exists();
        assertThat(parts[1]).isEqualTo("/etc/lakehouse/lakehouse.yaml");
        assertThat(services.path("lakehouse").path("command").isMissingNode()).as("the image's CMD reads that file")
                .isTrue();
        assertThat(dockerfile).contains("CMD [\"run\", \"--config\", \"/etc/lakehouse/lakehouse.yaml\"]");

        Map<String, String> env = environment(appliance, Map.of("CONSOLE_OPERATOR_HASH",
                PasswordHash.hash("operator-password".toCharArray())));
        ApplianceConfig config = ConfigLoader.parse(Files.readString(configFile), configFile.toString(),
                configFile.getParent(), env);
        ApplianceConfig.PipelineConfig pipeline = config.pipelines().get(0);

        // Kafka: the service name and its in-network listener.
        String advertised = services.path("kafka").path("environment").path("KAFKA_ADVERTISED_LISTENERS").asText();
        assertThat(advertised).contains("PLAINTEXT://" + pipeline.source().bootstrapServers());
        // Registry: the service and its listener port.
        URI registry = URI.create(pipeline.registry().urls().get(0));
        assertThat(registry.getHost()).isEqualTo("schema-registry");
        assertThat(services.path("schema-registry").path("environment").path("SCHEMA_REGISTRY_LISTENERS").asText())
                .endsWith(":" + registry.getPort());
        // S3: MinIO's API port, path-style, the keys MinIO was given, and the bucket minio-init creates.
        Map<String, String> hadoop = pipeline.table().hadoop();
        URI endpoint = URI.create(hadoop.get("fs.s3a.endpoint"));
        assertThat(endpoint.getHost()).isEqualTo("minio");
        assertThat(ports(services.path("minio"))).contains(endpoint.getPort());
        assertThat(hadoop.get("fs.s3a.path.style.access")).isEqualTo("true");
        Map<String, String> minioEnv = environment(services.path("minio"), Map.of());
        assertThat(hadoop.get("fs.s3a.access.key")).isEqualTo(minioEnv.get("MINIO_ROOT_USER"));
        assertThat(hadoop.get("fs.s3a.secret.key")).isEqualTo(minioEnv.get("MINIO_ROOT_PASSWORD"));
        URI table = URI.create(pipeline.table().location());
        assertThat(table.getScheme()).isEqualTo("s3a");
        assertThat(environment(services.path("minio-init"), Map.of()).get("S3_BUCKET")).isEqualTo(table.getHost());
        assertThat(pipeline.table().commitCoordination()).as("conditional puts where MinIO has them, else the lease")
                .isEqualTo(ApplianceConfig.CommitCoordinationMode.AUTO);
        // Console: published, exposed by the image, reachable from outside the container, behind users.
        assertThat(config.console().host()).isEqualTo("0.0.0.0");
        assertThat(config.console().users()).isNotEmpty();
        assertThat(ports(appliance)).contains(config.console().port());
        assertThat(dockerfile).contains("EXPOSE " + config.console().port());
        assertThat(pipeline.instanceId()).isEqualTo("lakehouse-1");

        // Without the operator's hash, start-up stops and says which variable to set.
        assertThatThrownBy(() -> ConfigLoader.parse(Files.readString(configFile), configFile.toString(),
                configFile.getParent(), environment(appliance, Map.of())))
                .hasMessageContaining("CONSOLE_OPERATOR_HASH is not set");
    }

    @Test
    void aSecondApplianceSharesTheTableUnderItsOwnInstanceId() throws Exception {
        JsonNode first = services.path("lakehouse");
        JsonNode second = services.path("lakehouse-2");
        assertThat(second.isMissingNode()).as("docker-compose.yml has a second appliance").isFalse();
        assertThat(second.path("image").asText()).isEqualTo(first.path("image").asText());
        assertThat(second.path("volumes")).isEqualTo(first.path("volumes"));
        assertThat(second.path("depends_on")).isEqualTo(first.path("depends_on"));
        assertThat(second.path("healthcheck")).isEqualTo(first.path("healthcheck"));
        assertThat(ports(second)).containsExactlyElementsOf(ports(first));
        assertThat(hostPorts(second)).doesNotContainAnyElementsOf(hostPorts(first));

        Path configFile = ROOT.resolve("deploy/lakehouse.yaml");
        Map<String, String> secrets = Map.of("CONSOLE_OPERATOR_HASH", PasswordHash.hash("x".toCharArray()));
        ApplianceConfig.PipelineConfig one = ConfigLoader.parse(Files.readString(configFile), configFile.toString(),
                configFile.getParent(), environment(first, secrets)).pipelines().get(0);
        ApplianceConfig.PipelineConfig two = ConfigLoader.parse(Files.readString(configFile), configFile.toString(),
                configFile.getParent(), environment(second, secrets)).pipelines().get(0);
        assertThat(two.instanceId()).isEqualTo("lakehouse-2").isNotEqualTo(one.instanceId());
        assertThat(two.table().location()).isEqualTo(one.table().location());
        assertThat(two.source().groupId()).isEqualTo(one.source().groupId());
    }

    @Test
    void theKubernetesStatefulSetNamesEachReplicaAfterItsPodAndRunsTheShippedConfiguration() throws Exception {
        List<JsonNode> documents = YAML.readValues(YAML.getFactory().createParser(
                ROOT.resolve("deploy/kubernetes/lakehouse.yaml").toFile()), JsonNode.class).readAll();
        JsonNode service = documents.stream().filter(d -> d.path("kind").asText().equals("Service")).findFirst()
                .orElseThrow();
        JsonNode set = documents.stream().filter(d -> d.path("kind").asText().equals("StatefulSet")).findFirst()
                .orElseThrow();
        assertThat(service.path("spec").path("clusterIP").asText()).isEqualTo("None");
        assertThat(set.path("spec").path("serviceName").asText()).isEqualTo(service.path("metadata").path("name")
                .asText());
        assertThat(set.path("spec").path("replicas").asInt()).as("replicas share the table").isGreaterThanOrEqualTo(2);
        JsonNode pod = set.path("spec").path("template").path("spec");
        assertThat(pod.path("terminationGracePeriodSeconds").asInt()).as("time to commit the open batch")
                .isGreaterThanOrEqualTo(120);
        Matcher user = Pattern.compile("(?m)^USER (\\S+)").matcher(dockerfile);
        assertThat(user.find()).isTrue();
        assertThat(pod.path("securityContext").path("runAsUser").asText()).isEqualTo(user.group(1).split(":")[0]);
        JsonNode container = pod.path("containers").get(0);
        assertThat(container.path("args").toString()).isEqualTo("[\"run\",\"--config\",\"/etc/lakehouse/lakehouse.yaml\"]");
        JsonNode mount = container.path("volumeMounts").get(0);
        assertThat(mount.path("mountPath").asText()).isEqualTo("/etc/lakehouse/lakehouse.yaml");

        // The environment a pod named lakehouse-0 gets, secrets filled in as the cluster would.
        Map<String, String> env = new HashMap<>();
        for (JsonNode variable : container.path("env")) {
            String name = variable.path("name").asText();
            JsonNode from = variable.path("valueFrom");
            if (from.path("fieldRef").path("fieldPath").asText().equals("metadata.name")) {
                env.put(name, "lakehouse-0");
            } else if (!from.path("secretKeyRef").isMissingNode()) {
                env.put(name, name.equals("CONSOLE_OPERATOR_HASH") ? PasswordHash.hash("x".toCharArray()) : "secret");
            } else {
                env.put(name, variable.path("value").asText());
            }
        }
        assertThat(env).containsEntry("LAKEHOUSE_INSTANCE_ID", "lakehouse-0");
        Path configFile = ROOT.resolve("deploy/lakehouse.yaml");
        ApplianceConfig config = ConfigLoader.parse(Files.readString(configFile), configFile.toString(),
                configFile.getParent(), env);
        ApplianceConfig.PipelineConfig pipeline = config.pipelines().get(0);
        assertThat(pipeline.instanceId()).as("the pod's name is the instance id").isEqualTo("lakehouse-0");
        assertThat(pipeline.table().location()).startsWith("s3a://lakehouse/");
        assertThat(pipeline.table().commitCoordination()).isEqualTo(ApplianceConfig.CommitCoordinationMode.AUTO);
        assertThat(pipeline.table().hadoop().get("fs.s3a.secret.key")).isEqualTo("secret");
        assertThat(pipeline.source().leaveGroupOnStop()).as("a rolling restart hands partitions over at once")
                .isTrue();

        // Probes on the console's port and paths.
        assertThat(container.path("ports").get(0).path("containerPort").asInt()).isEqualTo(config.console().port());
        assertThat(container.path("readinessProbe").path("httpGet").path("path").asText()).isEqualTo("/health/ready");
        assertThat(container.path("livenessProbe").path("httpGet").path("path").asText()).isEqualTo("/health/live");
        assertThat(text(ROOT.resolve("docs/operations.md"))).contains("deploy/kubernetes/lakehouse.yaml");
    }

    /** Host ports a service publishes. */
    private static List<String> hostPorts(JsonNode service) {
        List<String> ports = new ArrayList<>();
        service.path("ports").forEach(p -> ports.add(p.asText().split(":")[0]));
        return ports;
    }

    /** The service's environment as compose resolves it, with the host's variables in {@code host}. */
    private static Map<String, String> environment(JsonNode service, Map<String, String> host) {
        Map<String, String> env = new HashMap<>();
        service.path("environment").fields().forEachRemaining(e -> {
            Matcher matcher = COMPOSE_VARIABLE.matcher(e.getValue().asText());
            StringBuilder value = new StringBuilder();
            while (matcher.find()) {
                String set = host.get(matcher.group(1));
                matcher.appendReplacement(value, Matcher.quoteReplacement(set != null && !set.isEmpty() ? set
                        : matcher.group(2) == null ? "" : matcher.group(2)));
            }
            matcher.appendTail(value);
            env.put(e.getKey(), value.toString());
        });
        return env;
    }

    /** Container ports a service publishes. */
    private static List<Integer> ports(JsonNode service) {
        List<Integer> ports = new ArrayList<>();
        service.path("ports").forEach(p -> {
            String[] parts = p.asText().split(":");
            ports.add(Integer.parseInt(parts[parts.length - 1].replace("/tcp", "")));
        });
        return ports;
    }

    private static List<String> names(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static JsonNode read(Path file) {
        try {
            return YAML.readTree(file.toFile());
        } catch (Exception e) {
            throw new AssertionError("cannot parse " + file + ": " + e.getMessage(), e);
        }
    }

    private static String text(Path file) {
        try {
            return Files.readString(file);
        } catch (Exception e) {
            throw new AssertionError("cannot read " + file, e);
        }
    }
}
