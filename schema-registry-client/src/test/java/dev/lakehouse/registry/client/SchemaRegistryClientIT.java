package dev.lakehouse.registry.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lakehouse.registry.server.SchemaRegistryServer;
import dev.lakehouse.testkit.SchemaRegistryExtension;
import dev.lakehouse.testkit.TestNames;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The client against the project's registry server over real HTTP, success and error paths. */
@ExtendWith(SchemaRegistryExtension.class)
class SchemaRegistryClientIT {

    private static final Schema V1 = SchemaBuilder.record("Order").namespace("shop").fields()
            .requiredLong("id").endRecord();
    private static final Schema V2 = SchemaBuilder.record("Order").namespace("shop").fields()
            .requiredLong("id").optionalString("note").endRecord();
    private static final Schema INCOMPATIBLE = SchemaBuilder.record("Order").namespace("shop").fields()
            .requiredString("id").endRecord();

    private SchemaRegistryClient client;
    private String subject;

    @BeforeEach
    void connect(SchemaRegistryServer registry) {
        client = SchemaRegistryClient.connect(RegistryClientConfig.builder(registry.url()).build());
        subject = TestNames.unique("orders") + "-value";
    }

    @Test
    void registersAndReadsBackEveryWay() {
        int id1 = client.register(subject, V1);
        int id2 = client.register(subject, V2);
        assertThat(client.register(subject, V1)).isEqualTo(id1);

        assertThat(client.schemaById(id1)).isEqualTo(V1);
        assertThat(client.lookup(subject, V2)).isEqualTo(new RegisteredSchema(subject, 2, id2, V2));
        assertThat(client.latestVersion(subject).id()).isEqualTo(id2);
        assertThat(client.version(subject, 1).schema()).isEqualTo(V1);
        assertThat(client.versions(subject)).containsExactly(1, 2);
        assertThat(client.subjects()).contains(subject);
    }

    @Test
    void compatibilityLevelsAndTests() {
        client.register(subject, V1);
        assertThat(client.testCompatibility(subject, V2).compatible()).isTrue();
        CompatibilityResult bad = client.testCompatibility(subject, INCOMPATIBLE);
        assertThat(bad.compatible()).isFalse();
        assertThat(bad.messages()).anySatisfy(m -> assertThat(m).contains("TYPE_MISMATCH"));

        assertThat(client.compatibility(subject)).isEqualTo(client.globalCompatibility());
        client.setCompatibility(subject, CompatibilityLevel.NONE);
        assertThat(client.compatibility(subject)).isEqualTo(CompatibilityLevel.NONE);
        assertThat(client.register(subject, INCOMPATIBLE)).isPositive();
    }

    @Test
    void unknownIdSubjectAndVersionAreTypedErrors() {
        assertThatThrownBy(() -> client.schemaById(424242))
                .isInstanceOfSatisfying(SchemaNotFoundException.class, e -> assertThat(e.errorCode()).isEqualTo(40403))
                .hasMessageContaining("schema id 424242").hasMessageContaining("same registry");
        assertThatThrownBy(() -> client.latestVersion(subject))
                .isInstanceOf(SubjectNotFoundException.class).hasMessageContaining(subject)
                .hasMessageContaining("subject-name strategy");
        client.register(subject, V1);
        assertThatThrownBy(() -> client.version(subject, 7))
                .isInstanceOfSatisfying(VersionNotFoundException.class, e -> assertThat(e.errorCode()).isEqualTo(40402));
        assertThatThrownBy(() -> client.lookup(subject, V2)).isInstanceOf(SchemaNotFoundException.class);
    }

    @Test
    void jsonSchemasAreRegisteredReadBackAndCheckedForCompatibility() {
        String v1 = "{\"type\": \"object\", \"properties\": {\"id\": {\"type\": \"integer\"}},"
                + " \"required\": [\"id\"]}";
        String v2 = "{\"type\": \"object\", \"properties\": {\"id\": {\"type\": \"integer\"},"
                + " \"note\": {\"type\": \"string\"}}, \"required\": [\"id\"]}";
        int id1 = client.register(subject, new TypedSchema(TypedSchema.JSON, v1));
        int id2 = client.register(subject, new TypedSchema(TypedSchema.JSON, v2));
        assertThat(client.register(subject, new TypedSchema(TypedSchema.JSON, v1.replace(" ", ""))))
                .as("equal documents share one id").isEqualTo(id1);

        TypedSchema read = client.typedSchemaById(id2);
        assertThat(read.type()).isEqualTo("JSON");
        assertThat(read.text()).contains("\"note\"");
        assertThatThrownBy(() -> client.schemaById(id1)).isInstanceOf(InvalidSchemaException.class)
                .hasMessageContaining("is a JSON schema, not Avro");
        assertThat(client.versions(subject)).containsExactly(1, 2);

        // A property whose type changes, or a new required property, breaks BACKWARD (the default level).
        String changed = v2.replace("\"note\": {\"type\": \"string\"}", "\"note\": {\"type\": \"integer\"}");
        assertThatThrownBy(() -> client.register(subject, new TypedSchema(TypedSchema.JSON, changed)))
                .isInstanceOf(IncompatibleSchemaException.class).hasMessageContaining("field:'note'")
                .hasMessageContaining("TYPE_CHANGED");
        String newlyRequired = v2.replace("[\"id\"]", "[\"id\", \"note\"]");
        assertThatThrownBy(() -> client.register(subject, new TypedSchema(TypedSchema.JSON, newlyRequired)))
                .isInstanceOf(IncompatibleSchemaException.class).hasMessageContaining("REQUIRED_PROPERTY_ADDED");
        assertThatThrownBy(() -> client.register(subject, V1)).as("an Avro schema under a JSON subject")
                .isInstanceOf(IncompatibleSchemaException.class).hasMessageContaining("SCHEMA_TYPE_CHANGED");
        assertThatThrownBy(() -> client.register(subject, new TypedSchema("XML", "<schema/>")))
                .isInstanceOf(InvalidSchemaException.class).hasMessageContaining("XML is not supported");
        assertThatThrownBy(() -> client.register(subject, new TypedSchema(TypedSchema.JSON, "{not json")))
                .isInstanceOf(InvalidSchemaException.class).hasMessageContaining("not valid JSON");
    }

    @Test
    void protobufSchemasWithReferencesAreRegisteredReadBackAndCheckedForCompatibility() {
        String money = "syntax = \"proto3\";\npackage common;\nmessage Money { int64 cents = 1; }\n";
        String moneySubject = subject + "-money";
        client.register(moneySubject, new TypedSchema(TypedSchema.PROTOBUF, money));
        List<TypedSchema.Reference> references = List.of(new TypedSchema.Reference("common/money.proto",
                moneySubject, 1));
        String v1 = "syntax = \"proto3\";\nimport \"common/money.proto\";\n"
                + "message Order { int64 id = 1; common.Money total = 2; }\n";
        int id1 = client.register(subject, new TypedSchema(TypedSchema.PROTOBUF, v1, references));
        assertThat(client.register(subject, new TypedSchema(TypedSchema.PROTOBUF,
                v1.replace("int64 id = 1;", "int64   id  =  1;\n  "), references)))
                .as("the same file, laid out otherwise, has the same id").isEqualTo(id1);

        TypedSchema read = client.typedSchemaById(id1);
        assertThat(read.type()).isEqualTo("PROTOBUF");
        assertThat(read.references()).containsExactlyElementsOf(references);
        assertThat(client.typedVersion(moneySubject, 1).text()).contains("message Money");

        // A new field is compatible; a field whose number changes type is not; neither is a missing reference.
        client.register(subject, new TypedSchema(TypedSchema.PROTOBUF,
                v1.replace("common.Money total = 2;", "common.Money total = 2; string note = 3;"), references));
        assertThatThrownBy(() -> client.register(subject, new TypedSchema(TypedSchema.PROTOBUF,
                v1.replace("int64 id = 1;", "string id = 1;"), references)))
                .isInstanceOf(IncompatibleSchemaException.class).hasMessageContaining("FIELD_TYPE_CHANGED")
                .hasMessageContaining("Order.id");
        assertThatThrownBy(() -> client.register(subject + "-other", new TypedSchema(TypedSchema.PROTOBUF, v1,
                List.of(new TypedSchema.Reference("common/money.proto", moneySubject, 9)))))
                .isInstanceOf(InvalidSchemaException.class).hasMessageContaining("does not exist");
        assertThatThrownBy(() -> client.register(subject, new TypedSchema(TypedSchema.PROTOBUF, "message {")))
                .isInstanceOf(InvalidSchemaException.class).hasMessageContaining("does not parse");
    }

    @Test
    void incompatibleSchemaIsRefusedWithTheFieldAndTheWayOut() {
        client.register(subject, V1);
        assertThatThrownBy(() -> client.register(subject, INCOMPATIBLE))
                .isInstanceOfSatisfying(IncompatibleSchemaException.class, e -> {
                    assertThat(e.httpStatus()).isEqualTo(409);
                    assertThat(e.errorCode()).isEqualTo(409);
                })
                .hasMessageContaining(subject).hasMessageContaining("field:'id'")
                .hasMessageContaining("compatibility level");
    }

    @Test
    void authenticationFailureIsNotRetriedAndSaysWhatToCheck() {
        try (SchemaRegistryServer secured = SchemaRegistryServer.builder().basicAuthUser("ingest", "pw").start()) {
            SchemaRegistryClient wrong = SchemaRegistryClient.connect(
                    RegistryClientConfig.builder(secured.url()).userInfo("ingest:wrong").build());
            assertThatThrownBy(() -> wrong.subjects())
                    .isInstanceOfSatisfying(RegistryAuthenticationException.class,
                            e -> assertThat(e.httpStatus()).isEqualTo(401))
                    .hasMessageContaining("user-info");
            SchemaRegistryClient right = SchemaRegistryClient.connect(
                    RegistryClientConfig.builder(secured.url()).userInfo("ingest:pw").build());
            assertThat(right.register("auth-value", V1)).isPositive();
        }
    }

    @Test
    void serverDownIsTransientAfterBoundedRetries() {
        String url;
        try (SchemaRegistryServer doomed = SchemaRegistryServer.builder().start()) {
            url = doomed.url();
        }
        SchemaRegistryClient down = SchemaRegistryClient.connect(RegistryClientConfig.builder(url)
                .maxRetries(2).backoff(Duration.ofMillis(10), Duration.ofMillis(20)).build());
        long start = System.nanoTime();
        assertThatThrownBy(() -> down.schemaById(1))
                .isInstanceOf(RegistryUnavailableException.class)
                .hasMessageContaining(url).hasMessageContaining("unreachable");
        assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(10));
    }

    @Test
    void cachedSchemasSurviveTheRegistryGoingAway() {
        int id;
        SchemaRegistryClient cachingClient;
        try (SchemaRegistryServer shortLived = SchemaRegistryServer.builder().start()) {
            cachingClient = SchemaRegistryClient.connect(RegistryClientConfig.builder(shortLived.url()).maxRetries(0).build());
            id = cachingClient.register("cache-value", V1);
            cachingClient.schemaById(id);
        }
        assertThat(cachingClient.schemaById(id)).isEqualTo(V1);
        assertThat(cachingClient.register("cache-value", V1)).isEqualTo(id);
    }

    @Test
    void httpsWithATrustStoreAndAClearErrorWithout(@TempDir Path dir) throws Exception {
        Path keyStore = dir.resolve("registry.p12");
        Path cert = dir.resolve("registry.pem");
        Path trustStore = dir.resolve("trust.p12");
        keytool("-genkeypair", "-alias", "registry", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=127.0.0.1",
                "-ext", "SAN=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12", "-keystore", keyStore.toString(),
                "-storepass", "changeit", "-keypass", "changeit");
        keytool("-exportcert", "-alias", "registry", "-keystore", keyStore.toString(), "-storepass", "changeit",
                "-rfc", "-file", cert.toString());
        keytool("-importcert", "-noprompt", "-alias", "registry", "-file", cert.toString(), "-keystore",
                trustStore.toString(), "-storetype", "PKCS12", "-storepass", "changeit");

        try (SchemaRegistryServer tls = SchemaRegistryServer.builder().tls(keyStore, "changeit".toCharArray()).start()) {
            assertThat(tls.url()).startsWith("https://");
            SchemaRegistryClient trusted = SchemaRegistryClient.connect(RegistryClientConfig.builder(tls.url())
                    .trustStore(trustStore, "changeit".toCharArray(), "PKCS12").build());
            assertThat(trusted.register("tls-value", V1)).isPositive();

            SchemaRegistryClient untrusted = SchemaRegistryClient.connect(RegistryClientConfig.builder(tls.url()).build());
            assertThatThrownBy(untrusted::subjects)
                    .isInstanceOf(RegistryTlsException.class).hasMessageContaining("trust store");
        }
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor()).as("keytool %s: %s", args[0], output).isZero();
    }
}
