package org.mededge.appliance.reports;

import java.util.Map;

import org.mededge.appliance.audit.AuditLog;
import org.mededge.appliance.http.ApiService;
import org.mededge.appliance.http.Json;
import org.mededge.appliance.http.Routes;

/** GET /v1/audit/verify: recomputes the whole hash chain and names the first broken entry. */
public final class AuditService implements ApiService {
    private final AuditLog audit;

    public AuditService(AuditLog audit) {
        this.audit = audit;
    }

    @Override
    public void register(Routes routes) {
        routes.get("/v1/audit/verify", (req, res) -> {
            AuditLog.Verification v = audit.verify();
            Routes.audit(req).action("audit.verify").resource("audit");
            Json.send(res, v.intact() ? 200 : 409, Map.of("intact", v.intact(), "entries", v.entries(),
                    "firstBrokenSeq", v.firstBrokenSeq() == null ? "" : v.firstBrokenSeq(), "detail", v.reason()));
        });
    }
}
