package io.berth.api.auth;

import io.berth.api.ApiTestBase;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The token lookup caches are bounded: unknown tokens fill at most a small negative cache, huge ones none at all. */
class TokenCacheBoundsTest extends ApiTestBase {

    @Test
    void unknownTokensFillAtMostTheSmallNegativeCache() {
        for (int i = 0; i < 3 * TokenService.UNKNOWN_ENTRIES; i++) {
            assertThat(tokens.authenticate("berth_unknown_" + i + "_" + "x".repeat(80))).isEmpty();
        }
        long[] entries = tokens.cachedEntries();
        assertThat(entries[1]).isBetween(1L, (long) TokenService.UNKNOWN_ENTRIES);
        assertThat(entries[0]).isLessThanOrEqualTo(TokenService.KNOWN_ENTRIES);
    }

    @Test
    void hugeTokensAreRefusedWithoutALookupOrACacheEntry() {
        long[] before = tokens.cachedEntries();
        for (int i = 0; i < 50; i++) {
            token = "berth_" + i + "y".repeat(7_000);
            assertThat(post("/api/v1/servers", "application/json", "{}").status()).isEqualTo(401);
        }
        assertThat(tokens.cachedEntries()[1]).isLessThanOrEqualTo(before[1]);
    }

    @Test
    void aTokenTriedBeforeItWasIssuedWorksOnceIssued() {
        String chosen = "berth_chosen_" + System.nanoTime();
        assertThat(tokens.authenticate(chosen)).isEmpty();
        tokens.store("chosen", Role.OPERATOR, null, null, chosen);
        assertThat(tokens.authenticate(chosen)).hasValueSatisfying(c -> assertThat(c.role()).isEqualTo(Role.OPERATOR));
    }
}
