package dev.lakehouse.console;

/**
 * One condition of readiness ({@code /health/ready}): a dependency reachable, a table fresh enough. Checks run on
 * the request thread, so each must bound its own time (a few seconds at most).
 */
public interface HealthCheck {

    /** What is checked, e.g. {@code kafka localhost:9092}. */
    String name();

    /** The result now; never throws (a failure is a {@link Result#down}). */
    Result check();

    /**
     * @param up whether the condition holds
     * @param detail what was found, or why it does not hold
     */
    record Result(boolean up, String detail) {

        public static Result up(String detail) {
            return new Result(true, detail);
        }

        public static Result down(String detail) {
            return new Result(false, detail);
        }
    }
}
