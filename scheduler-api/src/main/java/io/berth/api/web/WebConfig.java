package io.berth.api.web;

import org.springframework.context.annotation.Configuration;
import org.springframework.http.converter.HttpMessageConverters;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/** Puts the strict request reader in front of Spring's converters (see {@link StrictBodyConverter}). */
@Configuration(proxyBeanMethods = false)
class WebConfig implements WebMvcConfigurer {
    private final DocumentReader documents;

    WebConfig(DocumentReader documents) {
        this.documents = documents;
    }

    @Override
    public void configureMessageConverters(HttpMessageConverters.ServerBuilder builder) {
        builder.addCustomConverter(new StrictBodyConverter(documents));
    }
}
