package dev.lakehouse.registry.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;

/**
 * Confluent's compatibility levels, checked with Avro's own reader/writer compatibility rules.
 *
 * <p>BACKWARD: consumers on the new schema can read data written with the previous one (new = reader).
 * FORWARD: consumers on the previous schema can read data written with the new one (new = writer).
 * FULL: both. The {@code _TRANSITIVE} variants check every earlier version instead of the latest only.
 */
public enum CompatibilityPolicy {
    NONE(false, false, false),
    BACKWARD(true, false, false),
    BACKWARD_TRANSITIVE(true, false, true),
    FORWARD(false, true, false),
    FORWARD_TRANSITIVE(false, true, true),
    FULL(true, true, false),
    FULL_TRANSITIVE(true, true, true);

    private final boolean newReadsOld;
    private final boolean oldReadsNew;
    private final boolean transitive;

    CompatibilityPolicy(boolean newReadsOld, boolean oldReadsNew, boolean transitive) {
        this.newReadsOld = newReadsOld;
        this.oldReadsNew = oldReadsNew;
        this.transitive = transitive;
    }

    /** Parses a level as Confluent accepts it (case-insensitive). */
    static CompatibilityPolicy parse(String text) {
        if (text == null) {
            throw RegistryError.invalidCompatibilityLevel("null");
        }
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw RegistryError.invalidCompatibilityLevel(text);
        }
    }

    /**
     * Checks a candidate against earlier versions.
     *
     * @param earlier earlier schemas of the subject, oldest first
     * @return human-readable incompatibilities; empty when compatible
     */
    List<String> check(Schema candidate, List<Schema> earlier) {
        List<String> problems = new ArrayList<>();
        if (earlier.isEmpty() || this == NONE) {
            return problems;
        }
        List<Schema> against = transitive ? earlier : List.of(earlier.get(earlier.size() - 1));
        for (Schema previous : against) {
            if (newReadsOld) {
                describe(SchemaCompatibility.checkReaderWriterCompatibility(candidate, previous), candidate,
                        "reader", problems);
            }
            if (oldReadsNew) {
                describe(SchemaCompatibility.checkReaderWriterCompatibility(previous, candidate), previous,
                        "writer", problems);
            }
        }
        return problems;
    }

    /**
     * Checks a candidate in another schema language against earlier versions, with the same directions as
     * {@link #check}.
     *
     * @param problems the problems of reading the second schema's data with the first
     */
    <T> List<String> checkWith(T candidate, List<T> earlier,
                               java.util.function.BiFunction<T, T, List<String>> problems) {
        List<String> found = new ArrayList<>();
        if (earlier.isEmpty() || this == NONE) {
            return found;
        }
        List<T> against = transitive ? earlier : List.of(earlier.get(earlier.size() - 1));
        for (T previous : against) {
            if (newReadsOld) {
                problems.apply(candidate, previous).forEach(p -> found.add(p + " (new schema as reader)"));
            }
            if (oldReadsNew) {
                problems.apply(previous, candidate).forEach(p -> found.add(p + " (new schema as writer)"));
            }
        }
        return found;
    }

    private static void describe(SchemaPairCompatibility result, Schema reader, String candidateRole,
                                 List<String> problems) {
        for (Incompatibility incompatibility : result.getResult().getIncompatibilities()) {
            problems.add("{errorType:'" + incompatibility.getType() + "', field:'"
                    + fieldPath(reader, incompatibility.getLocation()) + "', description:'"
                    + incompatibility.getMessage() + "', location:'" + incompatibility.getLocation()
                    + "', new schema as " + candidateRole + "}");
        }
    }

    /**
     * Turns Avro's JSON-pointer location ({@code /fields/0/type/fields/2}) into the dotted field names a person
     * knows ({@code customer.email}), by walking the reader schema. Unknown steps are kept as they are.
     */
    static String fieldPath(Schema reader, String location) {
        StringBuilder path = new StringBuilder();
        Schema current = reader;
        String[] steps = location.split("/");
        for (int i = 0; i < steps.length; i++) {
            String step = steps[i];
            try {
                if (step.equals("fields") && i + 1 < steps.length && current.getType() == Schema.Type.RECORD) {
                    Schema.Field field = current.getFields().get(Integer.parseInt(steps[++i]));
                    path.append(path.length() == 0 ? "" : ".").append(field.name());
                    current = field.schema();
                } else if (step.equals("items") && current.getType() == Schema.Type.ARRAY) {
                    current = current.getElementType();
                    path.append("[]");
                } else if (step.equals("values") && current.getType() == Schema.Type.MAP) {
                    current = current.getValueType();
                    path.append("{}");
                } else if (step.matches("\\d+") && current.getType() == Schema.Type.UNION) {
                    current = current.getTypes().get(Integer.parseInt(step));
                }
            } catch (RuntimeException e) {
                return location;
            }
        }
        return path.length() == 0 ? "(root)" : path.toString();
    }
}
