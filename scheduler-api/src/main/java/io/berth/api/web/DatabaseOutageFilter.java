package io.berth.api.web;

import io.berth.api.db.DatabaseOutage;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;

/**
 * Outermost filter: a database outage that escapes the filters in front of the controllers (token lookup, audit)
 * becomes the same 503 problem, with {@code Retry-After}, that {@link ProblemHandler} gives inside them, instead of
 * the container's 500 page.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
public class DatabaseOutageFilter extends OncePerRequestFilter {
    private static final Logger log = LoggerFactory.getLogger(DatabaseOutageFilter.class);
    /** Seconds a client should wait before retrying while the database is unreachable. */
    public static final int RETRY_AFTER_SECONDS = 5;
    static final String DETAIL = "the database is unreachable; nothing was changed, retry later";

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        try {
            chain.doFilter(request, response);
        } catch (ServletException | RuntimeException e) {
            if (!DatabaseOutage.is(e) || response.isCommitted()) throw e;
            log.debug("503 on {} {}: database unreachable: {}", Logs.escape(request.getMethod()),
                    Logs.escape(request.getRequestURI()), Logs.escape(e.getMessage()));
            response.setHeader("Retry-After", Integer.toString(RETRY_AFTER_SECONDS));
            Problems.write(response, 503, "database-unavailable", DETAIL, null);
        }
    }
}
