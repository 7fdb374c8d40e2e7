package org.mededge.appliance.http;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Collections;

import io.helidon.common.configurable.Resource;
import io.helidon.common.pki.Keys;
import io.helidon.common.tls.Tls;

import org.mededge.appliance.ApplianceConfig;

/** The server's TLS settings from a PKCS#12 keystore holding its private key and certificate chain. */
public final class ServerTls {
    private ServerTls() {
    }

    public static Tls from(ApplianceConfig.Tls cfg) {
        String alias = keyAlias(cfg);
        Keys keys = Keys.builder()
                .keystore(store -> store.keystore(Resource.create(cfg.keystore())).passphrase(cfg.password())
                        .keyAlias(alias).keyPassphrase(cfg.password().toCharArray()))
                .build();
        return Tls.builder()
                .privateKey(keys.privateKey().orElseThrow(() -> new IllegalArgumentException(
                        "mededge.tls.keystore " + cfg.keystore() + " holds no private key")))
                .privateKeyCertChain(keys.certChain())
                .build();
    }

    /** The keystore's first private-key entry. */
    private static String keyAlias(ApplianceConfig.Tls cfg) {
        try (InputStream in = Files.newInputStream(cfg.keystore())) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, cfg.password().toCharArray());
            for (String a : Collections.list(ks.aliases())) {
                if (ks.isKeyEntry(a)) {
                    return a;
                }
            }
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("mededge.tls.keystore " + cfg.keystore() + " cannot be read as PKCS#12 with"
                    + " the configured password: " + e.getMessage(), e);
        }
        throw new IllegalArgumentException("mededge.tls.keystore " + cfg.keystore() + " holds no private key");
    }
}
