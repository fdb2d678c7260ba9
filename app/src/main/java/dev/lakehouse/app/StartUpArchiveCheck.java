package dev.lakehouse.app;

import java.util.Optional;

/**
 * Tells an operator when the JVM did not map the class-data sharing archive that {@code bin/lakehouse} gave it.
 * A Java 17 JVM uses a static archive only with the JVM build that recorded it and with the jars at the paths and
 * timestamps they had then; otherwise it starts without any archive, silently, and every start takes longer. The
 * script names the archive in the system property {@link #ARCHIVE_PROPERTY}; the JVM reports whether it shares
 * classes in {@code java.vm.info} ("mixed mode, sharing"). Reading two properties costs a start nothing.
 */
final class StartUpArchiveCheck {

    /** Set by {@code bin/lakehouse} to the archive it passed with {@code -XX:SharedArchiveFile}. */
    static final String ARCHIVE_PROPERTY = "lakehouse.start-up-archive";

    private StartUpArchiveCheck() {
    }

    /** The warning for this JVM, or empty (see {@link #warning(String, String)}). */
    static Optional<String> warningForThisJvm() {
        return warning(System.getProperty(ARCHIVE_PROPERTY), System.getProperty("java.vm.info"));
    }

    /**
     * The warning to print, naming the archive and the command that records it again; empty when no archive was
     * given ({@code archive} null: another launcher, or {@code JAVA_OPTS} with archive options of their own) or when
     * the JVM shares classes.
     */
    static Optional<String> warning(String archive, String vmInfo) {
        if (archive == null || (vmInfo != null && vmInfo.contains("sharing"))) {
            return Optional.empty();
        }
        return Optional.of("lakehouse: warning: the JVM did not use the class-data sharing archive " + archive
                + " (it was recorded by another JVM build, or for this directory at another path or with other jars),"
                + " so starts and restarts take longer; bin/record-start-up-archive records it again for this JVM and"
                + " directory");
    }
}
