package dev.lakehouse.table.storage;

import java.io.IOException;
import java.net.URI;
import java.nio.file.FileAlreadyExistsException;
import java.util.Arrays;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.s3a.S3AFileSystem;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.DeleteObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Put-if-absent on an S3-compatible store through the table's own {@code s3a} file system: its SDK client, so
 * the endpoint, region, path style, credentials (providers, roles, per-bucket settings) and retries are exactly
 * those of s3a. A {@code PutObject} with {@code If-None-Match: *}, which S3 (since 2024), MinIO, R2, GCS's XML API
 * and s3proxy 4 on its file-system backend refuse with 412 when the key exists.
 *
 * <p><strong>Outcomes.</strong> {@link #putIfAbsent} returns when this write created the object, and throws
 * {@link FileAlreadyExistsException} when another write had created it. An ambiguous outcome (a timeout or a 5xx
 * after the body was sent; a 412 after the SDK retried a request that may have landed) is resolved by reading the
 * object back: if it holds exactly these bytes, this write created it. Two writers' log entries for one version
 * always differ (their files and transaction ids do), and if they did not, either outcome is the same commit.
 */
public final class S3ObjectStore implements ConditionalWrites.Store {

    /** Attempts when the store answers 409 (a concurrent conditional write to the key is in progress). */
    private static final int CONFLICT_ATTEMPTS = 5;

    private final S3AFileSystem fs;
    private final S3Client client;

    private S3ObjectStore(S3AFileSystem fs) {
        this.fs = fs;
        this.client = fs.getS3AInternals().getAmazonS3Client("conditional writes of the Delta log");
    }

    /**
     * The store of {@code path}, through its s3a file system.
     *
     * @throws IOException if {@code path} is not on s3a, or its file system cannot be created
     */
    public static S3ObjectStore of(Path path, Configuration conf) throws IOException {
        FileSystem fs = path.getFileSystem(conf);
        if (!(fs instanceof S3AFileSystem s3a)) {
            throw new IOException(path + " is not on an s3a file system (" + fs.getClass().getName() + ")");
        }
        return new S3ObjectStore(s3a);
    }

    /**
     * Creates {@code s3a://bucket/key} with {@code bytes} unless it exists.
     *
     * @throws FileAlreadyExistsException if the object exists (another writer's)
     * @throws ConditionalWrites.UnsupportedException if the store refuses the condition itself (400 or 501)
     * @throws IOException if the store cannot be reached, or the outcome cannot be told
     */
    @Override
    public void putIfAbsent(URI object, byte[] bytes) throws IOException {
        String bucket = object.getHost();
        String key = fs.pathToKey(new Path(object));
        for (int attempt = 1; ; attempt++) {
            try {
                client.putObject(PutObjectRequest.builder().bucket(bucket).key(key).ifNoneMatch("*").build(),
                        RequestBody.fromBytes(bytes));
                return;
            } catch (S3Exception e) {
                if (e.statusCode() == 412) {
                    // Ours, if the SDK retried a request that had landed; another writer's otherwise.
                    if (holds(bucket, key, bytes)) {
                        return;
                    }
                    throw new FileAlreadyExistsException(object.toString(), null,
                            "another writer created it first (412 to If-None-Match: *)");
                }
                if (e.statusCode() == 409 && attempt < CONFLICT_ATTEMPTS) {
                    continue; // a concurrent conditional write is in progress: ask again, it decides
                }
                if (e.statusCode() == 400 || e.statusCode() == 501) {
                    throw new ConditionalWrites.UnsupportedException(object + ": the store refused a conditional "
                            + "write (" + e.statusCode() + " " + errorCode(e) + ")", e);
                }
                if (e.statusCode() >= 500) {
                    resolveAmbiguous(object, bucket, key, bytes, e);
                    return;
                }
                throw new IOException("cannot write " + object + ": " + e.getMessage(), e);
            } catch (SdkClientException e) {
                resolveAmbiguous(object, bucket, key, bytes, e);
                return;
            }
        }
    }

    /** After a failure that may have followed a landed write: this write's bytes are there, or it did not land. */
    private void resolveAmbiguous(URI object, String bucket, String key, byte[] bytes, Exception failure)
            throws IOException {
        byte[] stored;
        try {
            stored = read(bucket, key);
        } catch (RuntimeException e) {
            IOException unknown = new IOException("the outcome of writing " + object + " is unknown: the write "
                    + "failed (" + failure.getMessage() + ") and the object cannot be read back (" + e.getMessage()
                    + ")", failure);
            unknown.addSuppressed(e);
            throw unknown;
        }
        if (stored == null) {
            throw new IOException("writing " + object + " failed and it is not there: " + failure.getMessage(),
                    failure);
        }
        if (!Arrays.equals(stored, bytes)) {
            throw new FileAlreadyExistsException(object.toString(), null,
                    "another writer created it (found after a failed write: " + failure.getMessage() + ")");
        }
        // Found with this write's bytes: the write landed although the call failed.
    }

    private boolean holds(String bucket, String key, byte[] bytes) {
        byte[] stored = read(bucket, key);
        return stored != null && Arrays.equals(stored, bytes);
    }

    /** The object's bytes, or null when there is none. */
    private byte[] read(String bucket, String key) {
        try {
            return client.getObjectAsBytes(GetObjectRequest.builder().bucket(bucket).key(key).build()).asByteArray();
        } catch (NoSuchKeyException e) {
            return null;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return null;
            }
            throw e;
        }
    }

    /** Deletes the object (no error when it is gone). */
    @Override
    public void delete(URI object) {
        client.deleteObject(DeleteObjectRequest.builder().bucket(object.getHost())
                .key(fs.pathToKey(new Path(object))).build());
    }

    private static String errorCode(S3Exception e) {
        return e.awsErrorDetails() == null ? "" : e.awsErrorDetails().errorCode();
    }
}
