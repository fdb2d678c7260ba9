package dev.lakehouse.peer.debezium;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.apicurio.registry.utils.converter.avro.AvroData;
import io.apicurio.registry.utils.converter.avro.AvroDataConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;

/**
 * Kafka Connect data written as Confluent's {@code AvroConverter} writes it: the Connect schema mapped to Avro by
 * {@link AvroData} (Apicurio's port of the converter's mapping: {@code connect.name}, {@code connect.parameters},
 * decimals as Avro decimals, optional fields as unions with null), the Avro schema registered under
 * {@code <topic>-key} or {@code <topic>-value} through the registry's Confluent REST API, and the value framed in the
 * Confluent wire format (a zero byte, the 4-byte schema id, Avro binary). Not thread-safe.
 */
final class ConfluentAvroConverter {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String registryUrl;
    private final boolean isKey;
    private final AvroData avroData = new AvroData(new AvroDataConfig(Map.of(
            AvroDataConfig.SCHEMAS_CACHE_SIZE_CONFIG, 100)));
    private final Map<String, Integer> ids = new HashMap<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    ConfluentAvroConverter(String registryUrl, boolean isKey) {
        this.registryUrl = registryUrl;
        this.isKey = isKey;
    }

    byte[] fromConnectData(String topic, org.apache.kafka.connect.data.Schema schema, Object value) {
        if (value == null) {
            return null; // a tombstone stays one
        }
        Schema avroSchema = avroData.fromConnectSchema(schema);
        Object datum = avroData.fromConnectData(schema, value);
        int id = ids.computeIfAbsent(topic + (isKey ? "-key" : "-value") + " " + avroSchema,
                subjectAndSchema -> register(topic + (isKey ? "-key" : "-value"), avroSchema));
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(0);
            out.write(ByteBuffer.allocate(4).putInt(id).array());
            BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
            new GenericDatumWriter<Object>(avroSchema).write(datum, encoder);
            encoder.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException("encoding an event of " + topic, e);
        }
    }

    private int register(String subject, Schema avroSchema) {
        try {
            String body = JSON.writeValueAsString(Map.of("schema", avroSchema.toString()));
            HttpRequest request = HttpRequest.newBuilder(URI.create(registryUrl + "/subjects/" + subject + "/versions"))
                    .timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build();
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("registering " + subject + ": HTTP " + response.statusCode() + " "
                        + response.body());
            }
            return JSON.readTree(response.body()).get("id").asInt();
        } catch (IOException e) {
            throw new IllegalStateException("registering " + subject, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted registering " + subject, e);
        }
    }
}
