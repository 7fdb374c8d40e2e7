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

/** The server's TLS settings from configuration. */
public final class ServerTls {
    private ServerTls() {
    }

}
