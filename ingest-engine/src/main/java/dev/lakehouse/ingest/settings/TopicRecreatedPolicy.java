package dev.lakehouse.ingest.settings;

/** What to do when a topic the table has offsets for was deleted and created again under its name. */
public enum TopicRecreatedPolicy {
    /** Stop with a message naming the topic and both ids. */
    FAIL,
    /** Read the new topic from its beginning; the table's offsets of the old one are replaced by a commit. */
    START_OVER
}
