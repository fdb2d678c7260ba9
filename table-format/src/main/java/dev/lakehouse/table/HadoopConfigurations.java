package dev.lakehouse.table;

import java.util.Map;
import org.apache.hadoop.conf.Configuration;

/** The Hadoop configuration every table uses: the caller's properties over the appliance's defaults. */
final class HadoopConfigurations {

    private HadoopConfigurations() {
    }

    static Configuration create(Map<String, String> properties) {
        Configuration conf = new Configuration();
        // Standard three-level Parquet lists: what Spark, Trino and Delta Kernel expect. parquet-avro's default
        // two-level form is read differently by different engines.
        conf.setBoolean("parquet.avro.write-old-list-structure", false);
        // Hadoop's local file system writes a .crc file beside every data file; Delta readers never need them.
        conf.set("fs.file.impl", "org.apache.hadoop.fs.RawLocalFileSystem");
        conf.set("fs.AbstractFileSystem.file.impl", "org.apache.hadoop.fs.local.RawLocalFs");
        // Hadoop caches file systems by scheme, not by configuration: without this, a checksumming local file
        // system created elsewhere in the JVM (another library's default configuration) would be reused here.
        conf.setBoolean("fs.file.impl.disable.cache", true);
        properties.forEach(conf::set);
        return conf;
    }
}
