package io.berth.api.web;

import org.apache.catalina.Container;
import org.apache.catalina.Lifecycle;
import org.apache.catalina.Valve;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.io.Writer;

/**
 * Requests Tomcat refuses before Spring sees them (an encoded {@code /} or {@code \}, {@code %00}, a malformed
 * escape in the path) are answered as problem details instead of Tomcat's HTML page: the host's error report valve
 * is replaced by {@link ProblemReportValve}. Errors Spring handles never reach it.
 */
@Component
class TomcatProblemPages implements WebServerFactoryCustomizer<TomcatServletWebServerFactory> {

    @Override
    public void customize(TomcatServletWebServerFactory factory) {
        factory.addContextCustomizers(context -> context.addLifecycleListener(event -> {
            // the host adds its error report valve when it starts, before it starts this context
            if (!Lifecycle.BEFORE_START_EVENT.equals(event.getType())) return;
            Container host = context.getParent();
            if (host == null) return;
            for (Valve valve : host.getPipeline().getValves()) {
                if (valve.getClass() == ErrorReportValve.class) host.getPipeline().removeValve(valve);
            }
            boolean present = false;
            for (Valve valve : host.getPipeline().getValves()) present |= valve instanceof ProblemReportValve;
            if (!present) host.getPipeline().addValve(new ProblemReportValve());
        }));
    }

    /** Writes a problem details body for an error response that has none yet; never a stack trace or server info. */
    static final class ProblemReportValve extends ErrorReportValve {
        ProblemReportValve() {
            setShowReport(false);
            setShowServerInfo(false);
        }

        @Override
        protected void report(Request request, Response response, Throwable throwable) {
            int status = response.getStatus();
            if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) return;
            String slug = status == 400 ? "invalid-request" : "http-" + status;
            String detail = status == 400 ? "the request path or a header is malformed or not allowed"
                    : status >= 500 ? "an internal error occurred" : "the request failed";
            try {
                response.setContentType("application/problem+json");
                response.setCharacterEncoding("UTF-8");
                Writer writer = response.getReporter();
                if (writer != null) {
                    writer.write(Problems.json(status, slug, detail, null));
                    response.finishResponse();
                }
            } catch (IOException | IllegalStateException e) {
                // the client went away; nothing left to tell it
            }
        }
    }
}
