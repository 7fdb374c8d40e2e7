package org.mededge.appliance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Map;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS from a PKCS#12 keystore named in configuration. */
class TlsTest {

    @Test
    void servesHttpsFromAPkcs12Keystore(@TempDir Path home) throws Exception {
        Path p12 = home.resolve("server.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "mededge", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                "-dname", "CN=mededge-test", "-ext", "san=ip:127.0.0.1", "-storetype", "PKCS12",
                "-keystore", p12.toString(), "-storepass", "changeit", "-keypass", "changeit")
                .redirectErrorStream(true).start();
        String out = new String(keytool.getInputStream().readAllBytes());
        assertEquals(0, keytool.waitFor(), out);

        try (Appliance a = TestAppliance.start(home, Map.of("mededge.tls.keystore", p12.toString(),
                "mededge.tls.password", "changeit", "mededge.engines.vad.enabled", "false"))) {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(p12)) {
                trust.load(in, "changeit".toCharArray());
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(null, tmf.getTrustManagers(), null);
            HttpClient client = HttpClient.newBuilder().sslContext(ssl).build();
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(
                    URI.create("https://127.0.0.1:" + a.port() + "/health/live")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            // plain HTTP to the TLS port does not get an answer
            assertThrows(IOException.class, () -> HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + a.port() + "/health/live")).timeout(java.time.Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
    }
}
