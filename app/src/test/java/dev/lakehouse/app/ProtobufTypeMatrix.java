package dev.lakehouse.app;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.Int64Value;
import com.google.protobuf.StringValue;
import com.google.protobuf.Timestamp;
import dev.lakehouse.app.config.ApplianceYaml;
import dev.lakehouse.registry.client.SchemaRegistryClient;
import dev.lakehouse.registry.serde.ConfluentProtobufSerializer;
import dev.lakehouse.registry.serde.ProtobufSchemas;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.SoftAssertions;

/**
 * Protobuf values of every type the product maps (every integer encoding, unsigned ones above the signed range,
 * floats, bools, strings with {@code json_name}, bytes, enums, Timestamps before 1970, wrappers, {@code optional},
 * {@code oneof}, repeated scalars and messages, string-keyed and int-keyed maps, nested messages named with a
 * leading dot), the value's type the third message of its file, framed by the project's Confluent serializer.
 */
final class ProtobufTypeMatrix implements TypeMatrixTable {

    static final long BASE_MILLIS = 1_796_292_000_000L; // 2026-12-02T08:40:00Z

    private static final String PROTO = """
            syntax = "proto3";
            package interop.v1;
            import "google/protobuf/timestamp.proto";
            import "google/protobuf/wrappers.proto";
            message Line {
              string sku = 1;
              double price = 2;
            }
            message Address {
              string city = 1;
              optional int32 zip = 2;
            }
            message Reading {
              enum Status { PLACED = 0; PAID = 1; SHIPPED = 2; }
              int64 reading_id = 1;
              int32 i32 = 2;
              sint32 s32 = 3;
              sfixed32 sf32 = 4;
              sint64 s64 = 5;
              sfixed64 sf64 = 6;
              uint32 u32 = 7;
              fixed32 f32 = 8;
              uint64 u64 = 9;
              fixed64 f64 = 10;
              float ratio = 11;
              double price = 12;
              bool ok = 13;
              string note = 14 [json_name = "noteText"];
              bytes payload = 15;
              Status status = 16;
              google.protobuf.Timestamp created_at = 17;
              .google.protobuf.Int64Value maybe_count = 18;
              google.protobuf.StringValue maybe_label = 19;
              optional int32 opt = 20;
              repeated string tags = 21;
              repeated .interop.v1.Line lines = 22;
              map<string, int64> attrs = 23;
              map<int32, string> codes = 24;
              .interop.v1.Address address = 25;
              oneof choice {
                int32 choice_int = 26;
                string choice_text = 27;
              }
            }
            """;

    private final Descriptor reading;
    private ConfluentProtobufSerializer serializer;

    ProtobufTypeMatrix() {
        FileDescriptor file = ProtobufSchemas.descriptor("reading.proto", PROTO, name -> null);
        reading = file.findMessageTypeByName("Reading");
    }

    @Override
    public String format() {
        return "protobuf";
    }

    @Override
    public void configure(ApplianceYaml.Pipeline pipeline) {
        pipeline.set("compaction.sort-by", List.of("status", "address.city"));
    }

    @Override
    public String idColumn() {
        return "reading_id";
    }

    // ---- the values of record i ---------------------------------------------------------------------------------

    static long createdMillis(int i) {
        return i % 100 == 7 ? -86_400_000L * 400 - i * 1_001L : BASE_MILLIS + i * 11_001L; // some before 1970
    }

    static long u32(int i) {
        return 3_000_000_000L + i;
    }

    static long f32(int i) {
        return 4_000_000_000L + i;
    }

    static String note(int i) {
        return i % 5 == 0 ? "" : i % 97 == 0 ? "n".repeat(20_000) : "note " + i;
    }

    @Override
    public byte[] value(SchemaRegistryClient registry, String topic, int i) {
        if (serializer == null) {
            serializer = new ConfluentProtobufSerializer(registry);
        }
        DynamicMessage.Builder m = DynamicMessage.newBuilder(reading);
        set(m, "reading_id", (long) i);
        set(m, "i32", i - 600);
        set(m, "s32", -i);
        set(m, "sf32", i * 3 - 1_000);
        set(m, "s64", -(i * 1_000_000_007L));
        set(m, "sf64", i * 1_000_000_007L);
        set(m, "u32", (int) u32(i));
        set(m, "f32", (int) f32(i));
        set(m, "u64", i * 1_000_000_000_000L);
        set(m, "f64", i + 7L);
        set(m, "ratio", (float) (i % 10) / 4f);
        set(m, "price", i * 0.5);
        set(m, "ok", i % 2 == 0);
        set(m, "note", note(i));
        set(m, "payload", ByteString.copyFrom("payload-" + i, StandardCharsets.UTF_8));
        set(m, "status", field("status").getEnumType().findValueByNumber(i % 3));
        long created = createdMillis(i);
        set(m, "created_at", Timestamp.newBuilder().setSeconds(Math.floorDiv(created, 1_000L))
                .setNanos((int) Math.floorMod(created, 1_000L) * 1_000_000).build());
        if (i % 4 != 0) {
            set(m, "maybe_count", Int64Value.of(i));
        }
        if (i % 3 != 0) {
            set(m, "maybe_label", StringValue.of("label " + i));
        }
        if (i % 2 == 1) {
            set(m, "opt", i);
        }
        for (int t = 0; t <= i % 2; t++) {
            m.addRepeatedField(field("tags"), t == 0 ? "t" + i % 4 : "all");
        }
        Descriptor line = field("lines").getMessageType();
        for (int l = 0; l < i % 3; l++) {
            m.addRepeatedField(field("lines"), DynamicMessage.newBuilder(line)
                    .setField(line.findFieldByName("sku"), "sku-" + l)
                    .setField(line.findFieldByName("price"), i + l * 0.25).build());
        }
        m.addRepeatedField(field("attrs"), entry("attrs", "k", (long) i));
        m.addRepeatedField(field("codes"), entry("codes", i % 5, "code " + i % 5));
        if (i % 6 != 0) {
            Descriptor address = field("address").getMessageType();
            DynamicMessage.Builder a = DynamicMessage.newBuilder(address)
                    .setField(address.findFieldByName("city"), "city " + i % 9);
            if (i % 2 == 1) {
                a.setField(address.findFieldByName("zip"), i);
            }
            set(m, "address", a.build());
        }
        if (i % 3 == 1) {
            set(m, "choice_int", i);
        } else if (i % 3 == 2) {
            set(m, "choice_text", "s" + i);
        }
        return serializer.serialize(topic + "-value", PROTO, List.of(), m.build());
    }

    private FieldDescriptor field(String name) {
        return reading.findFieldByName(name);
    }

    private void set(DynamicMessage.Builder message, String name, Object value) {
        message.setField(field(name), value);
    }

    private DynamicMessage entry(String map, Object key, Object value) {
        Descriptor entry = field(map).getMessageType();
        return DynamicMessage.newBuilder(entry).setField(entry.findFieldByName("key"), key)
                .setField(entry.findFieldByName("value"), value).build();
    }

    // ---- what the engines must compute --------------------------------------------------------------------------

    @Override
    public List<EngineAggregate> aggregates(int records) {
        long i32 = 0, s32 = 0, sf32 = 0, s64 = 0, sf64 = 0, u32 = 0, f32 = 0, u64 = 0, f64 = 0, ok = 0, noteChars = 0;
        long payloadBytes = 0, paid = 0, maybeCount = 0, maybeCounts = 0, labels = 0, opts = 0, optSum = 0;
        long tags = 0, lines = 0, attrsK = 0, codeKeys = 0, addresses = 0, zips = 0, choiceInts = 0, choiceTexts = 0;
        double ratio = 0, price = 0, linePrices = 0;
        BigDecimal createdMicros = BigDecimal.ZERO;
        long firstCreated = Long.MAX_VALUE, lastCreated = Long.MIN_VALUE;
        for (int i = 0; i < records; i++) {
            i32 += i - 600;
            s32 += -i;
            sf32 += i * 3 - 1_000;
            s64 += -(i * 1_000_000_007L);
            sf64 += i * 1_000_000_007L;
            u32 += u32(i);
            f32 += f32(i);
            u64 += i * 1_000_000_000_000L;
            f64 += i + 7L;
            ratio += (float) (i % 10) / 4f;
            price += i * 0.5;
            ok += i % 2 == 0 ? 1 : 0;
            noteChars += note(i).length();
            payloadBytes += ("payload-" + i).length();
            paid += i % 3 == 1 ? 1 : 0;
            createdMicros = createdMicros.add(BigDecimal.valueOf(createdMillis(i) * 1_000L));
            firstCreated = Math.min(firstCreated, createdMillis(i));
            lastCreated = Math.max(lastCreated, createdMillis(i));
            maybeCounts += i % 4 != 0 ? 1 : 0;
            maybeCount += i % 4 != 0 ? i : 0;
            labels += i % 3 != 0 ? 1 : 0;
            opts += i % 2;
            optSum += i % 2 == 1 ? i : 0;
            tags += 1 + i % 2;
            for (int l = 0; l < i % 3; l++) {
                lines++;
                linePrices += i + l * 0.25;
            }
            attrsK += i;
            codeKeys += i % 5;
            addresses += i % 6 != 0 ? 1 : 0;
            zips += i % 6 != 0 && i % 2 == 1 ? i : 0;
            choiceInts += i % 3 == 1 ? 1 : 0;
            choiceTexts += i % 3 == 2 ? 1 : 0;
        }
        return new EngineAggregate.Builder("p_")
                .add("n", "count(*)", (long) records)
                .add("ids", "count(DISTINCT reading_id)", (long) records)
                .add("i32", "sum(i32)", i32).add("s32", "sum(s32)", s32).add("sf32", "sum(sf32)", sf32)
                .add("s64", "sum(s64)", s64).add("sf64", "sum(sf64)", sf64).add("u32", "sum(u32)", u32)
                .add("f32", "sum(f32)", f32).add("u64", "sum(u64)", u64).add("f64", "sum(f64)", f64)
                .add("ratio", "sum(CAST(ratio AS DOUBLE))", ratio).add("price", "sum(price)", price)
                .add("ok", "count_if(ok)", ok).add("note_chars", "sum(length(note))", noteChars)
                .add("payload_bytes", "sum(length(payload))", "sum(octet_length(payload))", payloadBytes)
                .add("paid", "count_if(status = 'PAID')", paid)
                .add("created_micros", "sum(unix_micros(created_at))", "sum(epoch_us(created_at))", createdMicros)
                .add("first_created", "min(unix_millis(created_at))", "min(epoch_ms(created_at))", firstCreated)
                .add("last_created", "max(unix_millis(created_at))", "max(epoch_ms(created_at))", lastCreated)
                .add("maybe_counts", "count(maybe_count)", maybeCounts).add("maybe_count", "sum(maybe_count)", maybeCount)
                .add("labels", "count(maybe_label)", labels)
                .add("opts", "count(opt)", opts).add("opt_sum", "sum(opt)", optSum)
                .add("tags", "sum(size(tags))", "sum(len(tags))", tags)
                .add("lines", "sum(size(lines))", "sum(len(lines))", lines)
                .add("line_prices", "sum(aggregate(lines, CAST(0 AS DOUBLE), (acc, l) -> acc + l.price))",
                        "sum(list_sum(list_transform(lines, lambda l: l.price)))", linePrices)
                .add("attrs_k", "sum(attrs['k'])", attrsK)
                .add("code_keys", "sum(aggregate(codes, 0L, (acc, c) -> acc + c.key))",
                        "sum(list_sum(list_transform(codes, lambda c: c.key)))", codeKeys)
                .add("addresses", "count(address)", addresses).add("zips", "sum(address.zip)", zips)
                .add("choice_ints", "count(choice_int)", choiceInts)
                .add("choice_texts", "count(choice_text)", choiceTexts)
                .build();
    }

    @Override
    @SuppressWarnings("unchecked")
    public void assertKernelRow(int i, Map<String, Object> row, SoftAssertions soft) {
        String what = "protobuf row " + i + " ";
        soft.assertThat(row.get("u32")).as(what + "u32").isEqualTo(u32(i));
        soft.assertThat(row.get("f32")).as(what + "f32").isEqualTo(f32(i));
        soft.assertThat(row.get("s64")).as(what + "s64").isEqualTo(-(i * 1_000_000_007L));
        soft.assertThat(row.get("note")).as(what + "note").isEqualTo(note(i));
        soft.assertThat(row.get("status")).as(what + "status").isEqualTo(List.of("PLACED", "PAID", "SHIPPED").get(i % 3));
        soft.assertThat(row.get("created_at")).as(what + "created_at").isEqualTo(createdMillis(i) * 1_000L);
        soft.assertThat(row.get("maybe_count")).as(what + "maybe_count").isEqualTo(i % 4 != 0 ? (long) i : null);
        soft.assertThat(row.get("opt")).as(what + "opt").isEqualTo(i % 2 == 1 ? i : null);
        soft.assertThat((Map<Object, Object>) row.get("attrs")).as(what + "attrs").containsExactly(Map.entry("k", (long) i));
        soft.assertThat((List<Object>) row.get("codes")).as(what + "codes")
                .containsExactly(Map.of("key", i % 5, "value", "code " + i % 5));
        soft.assertThat(row.get("choice_text")).as(what + "choice_text").isEqualTo(i % 3 == 2 ? "s" + i : null);
    }
}
