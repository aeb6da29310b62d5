package io.berth.api.power;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/** berth.power.* is checked when the application starts: a bad PUE stops it with a message naming the key. */
class PowerPropertiesTest {
    @Configuration
    @EnableConfigurationProperties(PowerProperties.class)
    static class Config {
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
            .withUserConfiguration(Config.class);

    @ParameterizedTest(name = "pue={0}")
    @CsvSource({"1.0", "1.4", "2.5"})
    void acceptsAPueOfAtLeastOne(String pue) {
        runner.withPropertyValues("berth.power.pue=" + pue).run(ctx -> {
            assertThat(ctx).hasNotFailed();
            assertThat(ctx.getBean(PowerProperties.class).pue()).isEqualTo(Double.parseDouble(pue));
        });
    }

    @ParameterizedTest(name = "pue={0}")
    @CsvSource({"0.9", "0", "-1", "11"})
    void refusesToStartWithAPueBelowOneNamingTheKey(String pue) {
        runner.withPropertyValues("berth.power.pue=" + pue).run(ctx -> {
            assertThat(ctx).hasFailed();
            Throwable failure = ctx.getStartupFailure();
            StringBuilder messages = new StringBuilder();
            for (Throwable t = failure; t != null; t = t.getCause()) messages.append(t.getMessage()).append('\n');
            assertThat(messages.toString()).contains("berth.power").contains("pue").containsPattern("must be at (least 1.0|most 10.0)");
        });
    }

    @org.junit.jupiter.api.Test
    void defaultsToOne() {
        runner.run(ctx -> assertThat(ctx.getBean(PowerProperties.class).pue()).isEqualTo(1.0));
    }
}
