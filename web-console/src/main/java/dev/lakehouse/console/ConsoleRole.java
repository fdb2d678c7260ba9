package dev.lakehouse.console;

/** What a console user may do. */
public enum ConsoleRole {
    /** Sees every page and API read; no actions. */
    VIEWER,
    /** A viewer who may also pause and resume pipelines and start compactions. */
    OPERATOR
}
