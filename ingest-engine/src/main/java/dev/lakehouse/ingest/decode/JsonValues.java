package dev.lakehouse.ingest.decode;

import dev.lakehouse.ingest.deadletter.DeadLetterReason;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Reading a record's value as JSON for the JSON decoders, with the dead-letter reasons a bad value gets. */
final class JsonValues {

    private JsonValues() {
    }

    /**
     * The value's JSON tree.
     *
     * @param where the record's place, for the message
     * @throws RecordDecodeException {@link DeadLetterReason#NULL_VALUE} for a tombstone,
     *                               {@link DeadLetterReason#INVALID_JSON} for bytes that are not JSON
     */
    static JsonNode parse(ObjectMapper mapper, ConsumerRecord<byte[], byte[]> record, String where) {
        if (record.value() == null) {
            throw new RecordDecodeException(DeadLetterReason.NULL_VALUE, where + ": the value is null (a tombstone); "
                    + "an append-only table has no row for it", null);
        }
        try {
            return mapper.readTree(record.value());
        } catch (JsonProcessingException e) {
            throw new RecordDecodeException(DeadLetterReason.INVALID_JSON, where + ": the value is not valid JSON: "
                    + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new RecordDecodeException(DeadLetterReason.INVALID_JSON, where + ": the value is not valid JSON: "
                    + e, e);
        }
    }
}
