package dev.lakehouse.table;

/**
 * The Delta table was not created by the appliance (it lacks the appliance's table properties), so the appliance
 * does not know its Avro schema and cannot append to it. Not retryable: point the pipeline at a table of its own.
 */
public final class NotCreatedByApplianceException extends TableException {

    public NotCreatedByApplianceException(String location, String missingProperty) {
        super("table " + location + " has no " + missingProperty + " property: it was not created by the "
                + "appliance, which cannot append to it; give the pipeline a table location of its own");
    }
}
