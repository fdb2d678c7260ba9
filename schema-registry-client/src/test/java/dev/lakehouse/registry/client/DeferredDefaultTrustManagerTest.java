package dev.lakehouse.registry.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;

class DeferredDefaultTrustManagerTest {

    @Test
    void trustsTheIssuersOfTheJvmsDefaultTrustStore() throws Exception {
        X509Certificate[] defaults = defaultTrustManager().getAcceptedIssuers();

        assertThat(defaults).isNotEmpty();
        assertThat(new DeferredDefaultTrustManager().getAcceptedIssuers()).containsExactlyInAnyOrder(defaults);
    }

    @Test
    void rejectsAServerChainTheDefaultTrustRejects() {
        DeferredDefaultTrustManager trust = new DeferredDefaultTrustManager();

        assertThatThrownBy(() -> trust.checkServerTrusted(new X509Certificate[0], "RSA"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> defaultTrustManager().checkServerTrusted(new X509Certificate[0], "RSA"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void givesAnInitialisedTlsContext() throws Exception {
        SSLContext context = DeferredDefaultTrustManager.context();

        assertThat(context.getProtocol()).isEqualTo("TLS");
        assertThat(context.getDefaultSSLParameters().getProtocols()).isNotEmpty(); // throws if not initialised
    }

    private static X509TrustManager defaultTrustManager() throws Exception {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init((KeyStore) null);
        for (TrustManager manager : factory.getTrustManagers()) {
            if (manager instanceof X509TrustManager x509) {
                return x509;
            }
        }
        throw new CertificateException("no default X.509 trust manager");
    }
}
