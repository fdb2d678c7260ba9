package dev.lakehouse.registry.client;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The JVM's default trust (its {@code cacerts}, or the store {@code javax.net.ssl.trustStore} names), loaded at the
 * first TLS handshake instead of when the HTTP client is built.
 *
 * <p>Why: building a {@link java.net.http.HttpClient} without a TLS context initialises the JVM's default one, which
 * parses every certificate of the default trust store, even when the client will only ever speak plain HTTP. For
 * registries reached over {@code http} that work is wasted CPU in a start-up that competes for every core. With this
 * trust manager an {@code http} registry never loads the store; a redirect to {@code https} loads it at its handshake
 * and trusts exactly what the default context would.
 *
 * <p>Failure modes: a default trust store that cannot be read fails the handshake that needed it, with a
 * {@link CertificateException} naming the cause, rather than the client's construction. Client certificates that
 * {@code javax.net.ssl.keyStore} would supply are not offered: registries that need them are reached over
 * {@code https}, for which the client keeps the JVM's default context.
 */
final class DeferredDefaultTrustManager extends X509ExtendedTrustManager {

    private volatile X509ExtendedTrustManager loaded;

    /** A TLS context that trusts what the JVM's default context trusts, loading that trust on first use. */
    static SSLContext context() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new DeferredDefaultTrustManager()}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM has no TLS implementation: " + e.getMessage(), e);
        }
    }

    private X509ExtendedTrustManager delegate() throws CertificateException {
        X509ExtendedTrustManager trust = loaded;
        if (trust == null) {
            synchronized (this) {
                if (loaded == null) {
                    loaded = loadDefault();
                }
                trust = loaded;
            }
        }
        return trust;
    }

    private static X509ExtendedTrustManager loadDefault() throws CertificateException {
        TrustManagerFactory factory;
        try {
            factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init((KeyStore) null);
        } catch (NoSuchAlgorithmException | KeyStoreException e) {
            throw new CertificateException("cannot load the JVM's default trust store: " + e.getMessage(), e);
        }
        for (TrustManager manager : factory.getTrustManagers()) {
            if (manager instanceof X509ExtendedTrustManager x509) {
                return x509;
            }
        }
        throw new CertificateException("the JVM's default trust manager factory has no X.509 trust manager");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        delegate().checkServerTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        delegate().checkServerTrusted(chain, authType, socket);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        delegate().checkServerTrusted(chain, authType, engine);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        delegate().checkClientTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        delegate().checkClientTrusted(chain, authType, socket);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        delegate().checkClientTrusted(chain, authType, engine);
    }

    /** The default store's issuers; loads the store (a client never calls this: it is asked of TLS servers). */
    @Override
    public X509Certificate[] getAcceptedIssuers() {
        try {
            return delegate().getAcceptedIssuers();
        } catch (CertificateException e) {
            return new X509Certificate[0];
        }
    }
}
