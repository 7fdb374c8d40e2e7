package org.mededge.appliance;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, for requests no well-behaved client sends (a lying Content-Length,
 * a NUL in a header, an 8000-character path, an endless chunked body) and to see every response a
 * connection carries, unrequested ones included.
 */
final class RawHttp {
    record Response(int status, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /** What came back on one connection: every response, and whether the server closed it. */
    record Exchange(List<Response> responses, boolean closed, long millis) {
        Response only() {
            if (responses.size() != 1) {
                throw new AssertionError("expected exactly one response, got " + responses.size() + ": " + responses);
            }
            return responses.get(0);
        }
    }

    private RawHttp() {
    }

    /** Sends {@code head} (and {@code body}, which may be partial), then reads until the server closes or goes quiet. */
    static Exchange send(int port, String head, byte[] body, String localAddress, long quietMillis) {
        long t0 = System.nanoTime();
        try (Socket s = new Socket()) {
            if (localAddress != null) {
                s.bind(new InetSocketAddress(InetAddress.getByName(localAddress), 0));
            }
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout((int) quietMillis);
            OutputStream out = s.getOutputStream();
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            if (body != null) {
                try {
                    out.write(body);
                } catch (IOException e) {
                    // the server may close before taking a refused body: what it answered is still readable
                }
            }
            out.flush();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            boolean closed = false;
            InputStream in = s.getInputStream();
            byte[] buf = new byte[8192];
            try {
                for (int n; ; ) {
                    n = in.read(buf);
                    if (n < 0) {
                        closed = true;
                        break;
                    }
                    got.write(buf, 0, n);
                }
            } catch (SocketTimeoutException e) {
                // quiet: no more responses are coming on this connection
            } catch (IOException e) {
                closed = true; // reset by the server after its answer
            }
            return new Exchange(parse(got.toByteArray()), closed, (System.nanoTime() - t0) / 1_000_000);
        } catch (IOException e) {
            throw new AssertionError("connection failed: " + e, e);
        }
    }

    /** A request head; "Connection: close" unless the headers say otherwise, so that reading ends at once. */
    static String request(String method, String path, Map<String, String> headers) {
        StringBuilder b = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        headers.forEach((k, v) -> b.append(k).append(": ").append(v).append("\r\n"));
        if (headers.keySet().stream().noneMatch(k -> k.equalsIgnoreCase("Connection"))) {
            b.append("Connection: close\r\n");
        }
        return b.append("\r\n").toString();
    }

    private static List<Response> parse(byte[] raw) {
        String all = new String(raw, StandardCharsets.UTF_8);
        List<Response> out = new ArrayList<>();
        int at = 0;
        while (at < all.length()) {
            int end = all.indexOf("\r\n\r\n", at);
            if (end < 0 || !all.startsWith("HTTP/1.1 ", at)) {
                break;
            }
            String[] lines = all.substring(at, end).split("\r\n");
            int status = Integer.parseInt(lines[0].split(" ")[1]);
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int c = lines[i].indexOf(':');
                headers.put(lines[i].substring(0, c).trim().toLowerCase(Locale.ROOT), lines[i].substring(c + 1).trim());
            }
            int len = Integer.parseInt(headers.getOrDefault("content-length", "0"));
            int from = end + 4;
            // content length is in bytes; the bodies here are ASCII/UTF-8 JSON, measured in bytes
            byte[] rest = all.substring(from).getBytes(StandardCharsets.UTF_8);
            int take = Math.min(len, rest.length);
            String body = new String(rest, 0, take, StandardCharsets.UTF_8);
            out.add(new Response(status, headers, body));
            at = from + body.length();
        }
        return out;
    }
}
