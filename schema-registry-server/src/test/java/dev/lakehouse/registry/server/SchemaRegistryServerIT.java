package dev.lakehouse.registry.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checks the wire protocol with plain HTTP requests, as any Confluent client would send them. */
class SchemaRegistryServerIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String V1 = "{\"type\":\"record\",\"name\":\"Order\",\"fields\":[{\"name\":\"id\",\"type\":\"long\"}]}";
    private static final String V2 = "{\"type\":\"record\",\"name\":\"Order\",\"fields\":[{\"name\":\"id\",\"type\":\"long\"},"
            + "{\"name\":\"note\",\"type\":[\"null\",\"string\"],\"default\":null}]}";
    private static final String INCOMPATIBLE = "{\"type\":\"record\",\"name\":\"Order\",\"fields\":[{\"name\":\"id\",\"type\":\"string\"}]}";

    private static SchemaRegistryServer server;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    record Answer(int status, String contentType, JsonNode body) {
    }

    @BeforeAll
    static void start() {
        server = SchemaRegistryServer.builder().start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static Answer call(String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.url() + path))
                .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""),
                JSON.readTree(response.body()));
    }

    private static String schemaBody(String schema) throws Exception {
        return JSON.createObjectNode().put("schema", schema).toString();
    }

    @Test
    void registersLooksUpAndServesVersionsWithConfluentShapes() throws Exception {
        Answer registered = call("POST", "/subjects/orders-value/versions", schemaBody(V1));
        assertThat(registered.status()).isEqualTo(200);
        assertThat(registered.contentType()).isEqualTo("application/vnd.schemaregistry.v1+json");
        int id1 = registered.body().get("id").asInt();

        // Same schema again: same id, no new version. Same schema under another subject: same id.
        assertThat(call("POST", "/subjects/orders-value/versions", schemaBody(V1)).body().get("id").asInt()).isEqualTo(id1);
        assertThat(call("POST", "/subjects/other-value/versions", schemaBody(V1)).body().get("id").asInt()).isEqualTo(id1);

        int id2 = call("POST", "/subjects/orders-value/versions", schemaBody(V2)).body().get("id").asInt();
        assertThat(id2).isNotEqualTo(id1);
        assertThat(call("GET", "/subjects/orders-value/versions", null).body().toString()).isEqualTo("[1,2]");

        JsonNode latest = call("GET", "/subjects/orders-value/versions/latest", null).body();
        assertThat(latest.get("subject").asText()).isEqualTo("orders-value");
        assertThat(latest.get("version").asInt()).isEqualTo(2);
        assertThat(latest.get("id").asInt()).isEqualTo(id2);

        JsonNode byId = call("GET", "/schemas/ids/" + id1, null).body();
        assertThat(JSON.readTree(byId.get("schema").asText())).isEqualTo(JSON.readTree(V1));
        assertThat(call("GET", "/schemas/ids/" + id1 + "/versions", null).body().toString())
                .contains("{\"subject\":\"orders-value\",\"version\":1}", "{\"subject\":\"other-value\",\"version\":1}");

        JsonNode lookedUp = call("POST", "/subjects/orders-value", schemaBody(V1)).body();
        assertThat(lookedUp.get("version").asInt()).isEqualTo(1);
        assertThat(call("GET", "/subjects", null).body().toString()).contains("orders-value", "other-value");
    }

    @Test
    void answersConfluentErrorCodes() throws Exception {
        call("POST", "/subjects/errors-value/versions", schemaBody(V1));

        Answer unknownSubject = call("GET", "/subjects/nope/versions", null);
        assertThat(unknownSubject.status()).isEqualTo(404);
        assertThat(unknownSubject.body().get("error_code").asInt()).isEqualTo(40401);
        assertThat(unknownSubject.body().get("message").asText()).contains("nope");

        assertThat(call("GET", "/subjects/errors-value/versions/9", null).body().get("error_code").asInt()).isEqualTo(40402);
        assertThat(call("GET", "/schemas/ids/987654", null).body().get("error_code").asInt()).isEqualTo(40403);
        assertThat(call("POST", "/subjects/errors-value", schemaBody(V2)).body().get("error_code").asInt()).isEqualTo(40403);

        Answer incompatible = call("POST", "/subjects/errors-value/versions", schemaBody(INCOMPATIBLE));
        assertThat(incompatible.status()).isEqualTo(409);
        assertThat(incompatible.body().get("error_code").asInt()).isEqualTo(409);
        assertThat(incompatible.body().get("message").asText()).contains("incompatible", "field:'id'");

        Answer invalid = call("POST", "/subjects/errors-value/versions", schemaBody("{\"type\":\"recordx\"}"));
        assertThat(invalid.status()).isEqualTo(422);
        assertThat(invalid.body().get("error_code").asInt()).isEqualTo(42201);

        assertThat(call("GET", "/subjects/errors-value/versions/zero", null).body().get("error_code").asInt()).isEqualTo(42202);
        assertThat(call("PUT", "/config", "{\"compatibility\":\"SIDEWAYS\"}").body().get("error_code").asInt()).isEqualTo(42203);
        assertThat(call("GET", "/config/errors-value", null).body().get("error_code").asInt()).isEqualTo(40408);
        assertThat(call("GET", "/no/such/path", null).status()).isEqualTo(404);
    }

    @Test
    void compatibilityConfigAndTests() throws Exception {
        call("POST", "/subjects/compat-value/versions", schemaBody(V1));
        JsonNode ok = call("POST", "/compatibility/subjects/compat-value/versions/latest", schemaBody(V2)).body();
        assertThat(ok.get("is_compatible").asBoolean()).isTrue();
        JsonNode bad = call("POST", "/compatibility/subjects/compat-value/versions/latest?verbose=true",
                schemaBody(INCOMPATIBLE)).body();
        assertThat(bad.get("is_compatible").asBoolean()).isFalse();
        assertThat(bad.get("messages").toString()).contains("TYPE_MISMATCH");

        assertThat(call("PUT", "/config/compat-value", "{\"compatibility\":\"NONE\"}").body().get("compatibility").asText())
                .isEqualTo("NONE");
        assertThat(call("GET", "/config/compat-value", null).body().get("compatibilityLevel").asText()).isEqualTo("NONE");
        assertThat(call("POST", "/subjects/compat-value/versions", schemaBody(INCOMPATIBLE)).status()).isEqualTo(200);
        assertThat(call("GET", "/config", null).body().get("compatibilityLevel").asText()).isEqualTo("BACKWARD");
    }

    @Test
    void softDeleteHidesVersionsAndNeverReusesNumbers() throws Exception {
        call("POST", "/subjects/deleted-value/versions", schemaBody(V1));
        assertThat(call("DELETE", "/subjects/deleted-value", null).body().toString()).isEqualTo("[1]");
        assertThat(call("GET", "/subjects/deleted-value/versions", null).body().get("error_code").asInt()).isEqualTo(40401);
        assertThat(call("GET", "/subjects?deleted=true", null).body().toString()).contains("deleted-value");
        call("POST", "/subjects/deleted-value/versions", schemaBody(V2));
        assertThat(call("GET", "/subjects/deleted-value/versions", null).body().toString()).isEqualTo("[2]");
    }

    @Test
    void basicAuthRejectsMissingAndWrongCredentials() throws Exception {
        try (SchemaRegistryServer secured = SchemaRegistryServer.builder().basicAuthUser("svc", "s3cret").start()) {
            HttpResponse<String> anonymous = HTTP.send(HttpRequest.newBuilder(URI.create(secured.url() + "/subjects"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(anonymous.statusCode()).isEqualTo(401);
            assertThat(JSON.readTree(anonymous.body()).get("error_code").asInt()).isEqualTo(401);

            String wrong = Base64.getEncoder().encodeToString("svc:nope".getBytes(StandardCharsets.UTF_8));
            assertThat(HTTP.send(HttpRequest.newBuilder(URI.create(secured.url() + "/subjects"))
                    .header("Authorization", "Basic " + wrong).build(), HttpResponse.BodyHandlers.ofString())
                    .statusCode()).isEqualTo(401);

            String right = Base64.getEncoder().encodeToString("svc:s3cret".getBytes(StandardCharsets.UTF_8));
            assertThat(HTTP.send(HttpRequest.newBuilder(URI.create(secured.url() + "/subjects"))
                    .header("Authorization", "Basic " + right).build(), HttpResponse.BodyHandlers.ofString())
                    .statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aStoreFileKeepsIdsAcrossRestarts(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("registry.json");
        int id;
        try (SchemaRegistryServer first = SchemaRegistryServer.builder().storeFile(file).start()) {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(first.url() + "/subjects/kept-value/versions"))
                    .POST(HttpRequest.BodyPublishers.ofString(schemaBody(V1))).build(), HttpResponse.BodyHandlers.ofString());
            id = JSON.readTree(r.body()).get("id").asInt();
        }
        try (SchemaRegistryServer second = SchemaRegistryServer.builder().storeFile(file).start()) {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(second.url() + "/schemas/ids/" + id)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            HttpResponse<String> again = HTTP.send(HttpRequest.newBuilder(URI.create(second.url() + "/subjects/kept2-value/versions"))
                    .POST(HttpRequest.BodyPublishers.ofString(schemaBody(V2))).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(JSON.readTree(again.body()).get("id").asInt()).isGreaterThan(id);
        }
    }

    @Test
    void aJsonSchemaKeepsItsTypeAndIdAcrossRestarts(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("registry.json");
        String body = "{\"schemaType\": \"JSON\", \"schema\": \"{\\\"type\\\": \\\"object\\\"}\"}";
        int id;
        try (SchemaRegistryServer first = SchemaRegistryServer.builder().storeFile(file).start()) {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(first.url()
                    + "/subjects/json-value/versions")).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            id = JSON.readTree(r.body()).get("id").asInt();
        }
        try (SchemaRegistryServer second = SchemaRegistryServer.builder().storeFile(file).start()) {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(second.url() + "/schemas/ids/" + id))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(JSON.readTree(r.body()).get("schemaType").asText()).isEqualTo("JSON");
            assertThat(JSON.readTree(r.body()).get("schema").asText()).isEqualTo("{\"type\":\"object\"}");
            HttpResponse<String> types = HTTP.send(HttpRequest.newBuilder(URI.create(second.url() + "/schemas/types"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(types.body()).contains("AVRO").contains("JSON");
            HttpResponse<String> again = HTTP.send(HttpRequest.newBuilder(URI.create(second.url()
                    + "/subjects/json-value/versions")).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(JSON.readTree(again.body()).get("id").asInt()).as("the same schema, the same id").isEqualTo(id);
        }
    }

    /**
     * Confluent's JavaScript and Go serializers register Protobuf schemas as base64 of a serialized
     * {@code FileDescriptorProto}, an import as a reference, and their deserializers ask for {@code format=serialized}:
     * the registry stores and serves {@code .proto} text, and serves a descriptor that protobuf-java builds.
     */
    @Test
    void protobufSchemasSentAsSerializedDescriptorsAreStoredAsProtoTextAndServedSerializedOnRequest()
            throws Exception {
        com.google.protobuf.DescriptorProtos.FileDescriptorProto money =
                com.google.protobuf.DescriptorProtos.FileDescriptorProto.newBuilder().setName("shop/money.proto")
                        .setPackage("shop.money").setSyntax("proto3")
                        .addMessageType(com.google.protobuf.DescriptorProtos.DescriptorProto.newBuilder()
                                .setName("Money").addField(field("units", 1,
                                        com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Type.TYPE_INT64)))
                        .build();
        var entry = com.google.protobuf.DescriptorProtos.DescriptorProto.newBuilder().setName("AttributesEntry")
                .setOptions(com.google.protobuf.DescriptorProtos.MessageOptions.newBuilder().setMapEntry(true))
                .addField(field("key", 1, com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Type.TYPE_STRING))
                .addField(field("value", 2, com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Type.TYPE_STRING));
        var order = com.google.protobuf.DescriptorProtos.DescriptorProto.newBuilder().setName("Order")
                .addField(field("id", 1, com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Type.TYPE_INT64))
                .addField(field("attributes", 2, com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Type.TYPE_MESSAGE)
                        .setLabel(com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Label.LABEL_REPEATED)
                        .setTypeName(".shop.Order.AttributesEntry"))
                .addField(field("total", 3, com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Type.TYPE_MESSAGE)
                        .setTypeName(".shop.money.Money"))
                .addField(field("created", 4, com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Type.TYPE_MESSAGE)
                        .setTypeName(".google.protobuf.Timestamp"))
                .addField(field("status", 5, com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Type.TYPE_ENUM)
                        .setTypeName(".shop.Order.Status"))
                .addField(field("note", 6, com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Type.TYPE_STRING)
                        .setProto3Optional(true).setOneofIndex(1))
                .addField(field("email", 7, com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Type.TYPE_STRING)
                        .setOneofIndex(0))
                .addField(field("phone", 8, com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Type.TYPE_STRING)
                        .setOneofIndex(0))
                .addOneofDecl(com.google.protobuf.DescriptorProtos.OneofDescriptorProto.newBuilder().setName("contact"))
                .addOneofDecl(com.google.protobuf.DescriptorProtos.OneofDescriptorProto.newBuilder().setName("_note"))
                .addNestedType(entry)
                .addEnumType(com.google.protobuf.DescriptorProtos.EnumDescriptorProto.newBuilder().setName("Status")
                        .addValue(com.google.protobuf.DescriptorProtos.EnumValueDescriptorProto.newBuilder()
                                .setName("NEW").setNumber(0))
                        .addValue(com.google.protobuf.DescriptorProtos.EnumValueDescriptorProto.newBuilder()
                                .setName("PAID").setNumber(1)));
        com.google.protobuf.DescriptorProtos.FileDescriptorProto file =
                com.google.protobuf.DescriptorProtos.FileDescriptorProto.newBuilder().setName("shop/order.proto")
                        .setPackage("shop").setSyntax("proto3").addDependency("google/protobuf/timestamp.proto")
                        .addDependency("shop/money.proto").addMessageType(order).build();

        String base64Money = java.util.Base64.getEncoder().encodeToString(money.toByteArray());
        Answer moneyId = call("POST", "/subjects/shop%2Fmoney.proto/versions", JSON.createObjectNode()
                .put("schemaType", "PROTOBUF").put("schema", base64Money).toString());
        assertThat(moneyId.status()).as("%s", moneyId.body()).isEqualTo(200);
        com.fasterxml.jackson.databind.node.ObjectNode body = JSON.createObjectNode().put("schemaType", "PROTOBUF")
                .put("schema", java.util.Base64.getEncoder().encodeToString(file.toByteArray()));
        body.putArray("references").addObject().put("name", "shop/money.proto").put("subject", "shop/money.proto")
                .put("version", 1);
        Answer registered = call("POST", "/subjects/orders-proto-value/versions?normalize=true", body.toString());
        assertThat(registered.status()).as("%s", registered.body()).isEqualTo(200);
        int id = registered.body().get("id").asInt();
        assertThat(call("POST", "/subjects/orders-proto-value?normalize=true", body.toString()).body().get("id")
                .asInt()).as("the same descriptor looks up the same schema").isEqualTo(id);

        String text = call("GET", "/subjects/orders-proto-value/versions/1", null).body().get("schema").asText();
        assertThat(text).contains("package shop;", "import \"shop/money.proto\";", "map<string, string> attributes = 2;",
                "optional string note = 6;", "oneof contact {", ".shop.money.Money total = 3;",
                ".google.protobuf.Timestamp created = 4;", "enum Status {").doesNotContain("AttributesEntry");

        for (String path : java.util.List.of("/schemas/ids/" + id + "?format=serialized",
                "/subjects/orders-proto-value/versions/1?format=serialized")) {
            String served = call("GET", path, null).body().get("schema").asText();
            var descriptor = com.google.protobuf.DescriptorProtos.FileDescriptorProto.parseFrom(
                    java.util.Base64.getDecoder().decode(served));
            var moneyFile = com.google.protobuf.Descriptors.FileDescriptor.buildFrom(money,
                    new com.google.protobuf.Descriptors.FileDescriptor[0]);
            var built = com.google.protobuf.Descriptors.FileDescriptor.buildFrom(descriptor,
                    new com.google.protobuf.Descriptors.FileDescriptor[] {
                            com.google.protobuf.TimestampProto.getDescriptor(), moneyFile});
            var message = built.findMessageTypeByName("Order");
            assertThat(message.findFieldByName("attributes").isMapField()).as(path).isTrue();
            assertThat(message.findFieldByName("total").getMessageType().getFullName()).isEqualTo("shop.money.Money");
            assertThat(message.findFieldByName("created").getMessageType().getFullName())
                    .isEqualTo("google.protobuf.Timestamp");
            assertThat(message.findFieldByName("status").getEnumType().getFullName()).isEqualTo("shop.Order.Status");
            assertThat(message.findFieldByName("note").hasPresence()).isTrue();
            assertThat(message.findFieldByName("email").getContainingOneof().getName()).isEqualTo("contact");
            assertThat(message.getFields()).extracting(f -> f.getNumber()).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
        }
        assertThat(call("GET", "/associations/resources/-/orders-proto", null).status())
                .as("an endpoint this registry does not have: a plain 404 clients fall back on").isEqualTo(404);
    }

    private static com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Builder field(String name, int number,
            com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Type type) {
        return com.google.protobuf.DescriptorProtos.FieldDescriptorProto.newBuilder().setName(name).setNumber(number)
                .setType(type).setLabel(com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Label.LABEL_OPTIONAL);
    }
}
