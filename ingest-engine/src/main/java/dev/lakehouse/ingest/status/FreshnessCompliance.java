package dev.lakehouse.ingest.status;

/**
 * How a table meets its {@link FreshnessObjective} over the objective's window, at one moment.
 *
 * @param objective the objective
 * @param records records judged: those committed in the window, and those not yet committed but already late
 * @param fresh of those, the records committed within the objective's time of their timestamp
 * @param pendingLate records not yet committed while the newest committed one is already older than the
 *     objective's time (the partitions' lag at that moment): counted as late, so a stalled or paused pipeline
 *     breaches its objective while it stalls, not only once it commits again
 */
public record FreshnessCompliance(FreshnessObjective objective, long records, long fresh, long pendingLate) {

    /** The share of fresh records, 0 to 1; NaN when no record was judged yet. */
    public double ratio() {
        return records == 0 ? Double.NaN : (double) fresh / records;
    }

    /**
     * How fast the error budget burns: the share of late records over the share the objective allows. 1 spends the
     * budget exactly over the window; above 1 it runs out before; 0 when nothing is late or nothing was judged.
     */
    public double burnRate() {
        return records == 0 ? 0 : (1 - ratio()) / objective.errorBudget();
    }

    /** Whether the objective holds now (also while nothing was judged yet). */
    public boolean met() {
        return records == 0 || ratio() * 100 >= objective.percent();
    }
}
