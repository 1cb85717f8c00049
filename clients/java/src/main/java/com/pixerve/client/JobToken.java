package com.pixerve.client;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Mints HS256 job tokens: the {@code job} claim says what to produce. Give it a {@link JobSpec}, or a Map whose
 * iteration order is the order meant (LinkedHashMap): formats are produced, and named, in the claim's order.
 */
public final class JobToken {
    private JobToken() {}

    public static String mint(String secret, JobSpec job, Duration validFor) { return mint(secret, job.toMap(), validFor, null); }

    public static String mint(String secret, JobSpec job, Duration validFor, String subject) { return mint(secret, job.toMap(), validFor, subject); }

    public static String mint(String secret, Map<String, Object> job, Duration validFor) { return mint(secret, job, validFor, null); }

    public static String mint(String secret, Map<String, Object> job, Duration validFor, String subject) {
        var now = Instant.now().getEpochSecond();
        var claims = new LinkedHashMap<String, Object>();
        claims.put("job", job);
        claims.put("iat", now);
        claims.put("exp", now + validFor.toSeconds());
        if (subject != null) claims.put("sub", subject);
        var encoder = Base64.getUrlEncoder().withoutPadding();
        var unsigned = encoder.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8))
            + "." + encoder.encodeToString(Json.write(claims).getBytes(StandardCharsets.UTF_8));
        try {
            var mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return unsigned + "." + encoder.encodeToString(mac.doFinal(unsigned.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
