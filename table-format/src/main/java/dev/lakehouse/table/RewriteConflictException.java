package dev.lakehouse.table;

import java.util.List;

/**
 * A {@link FileRewrite} was not committed because files it removes are no longer live: another writer (a
 * compaction, a replay) removed them first. Nothing was committed; the caller plans again from a fresh snapshot
 * or drops the rewrite. The added files are orphans that vacuum deletes.
 */
public final class RewriteConflictException extends TableException {

    private static final long serialVersionUID = 1L;

    private final List<String> missingPaths;

    public RewriteConflictException(String message, List<String> missingPaths) {
        super(message);
        this.missingPaths = List.copyOf(missingPaths);
    }

    /** Paths of the files that were no longer live. */
    public List<String> missingPaths() {
        return missingPaths;
    }
}
