package io.berth.api.web;

import org.springframework.core.io.Resource;
import org.springframework.http.HttpInputMessage;
import org.springframework.http.HttpOutputMessage;
import org.springframework.http.MediaType;
import org.springframework.http.converter.AbstractHttpMessageConverter;
import org.springframework.util.MultiValueMap;

import java.io.IOException;
import java.util.List;

/**
 * Reads every {@code @RequestBody} record (JSON or YAML) with the {@link DocumentReader}, so all endpoints share one
 * strict reader. A wildcard Content-Type is 415 instead of a guess. Only reads: answers are written by Spring's
 * Jackson converters. Raw bodies ({@code byte[]}, {@code String}) are left to Spring's converters.
 */
public class StrictBodyConverter extends AbstractHttpMessageConverter<Object> {
    private final DocumentReader documents;

    public StrictBodyConverter(DocumentReader documents) {
        super(MediaType.APPLICATION_JSON, new MediaType("application", "*+json"), DocumentReader.YAML,
                new MediaType("application", "*+yaml"), new MediaType("application", "x-yaml"), new MediaType("text", "yaml"));
        this.documents = documents;
    }

    @Override
    protected boolean supports(Class<?> clazz) {
        return clazz != byte[].class && clazz != String.class && !Resource.class.isAssignableFrom(clazz)
                && !MultiValueMap.class.isAssignableFrom(clazz);
    }

    @Override
    public boolean canRead(Class<?> clazz, MediaType mediaType) {
        if (!supports(clazz)) return false;
        // claims wildcard types too, so that they are answered with 415 by read() rather than guessed
        return mediaType != null && (mediaType.isWildcardType() || mediaType.isWildcardSubtype() || canRead(mediaType));
    }

    @Override
    public boolean canWrite(Class<?> clazz, MediaType mediaType) {
        return false;
    }

    @Override
    protected Object readInternal(Class<?> clazz, HttpInputMessage input) throws IOException {
        MediaType type = input.getHeaders().getContentType();
        return documents.convert(documents.readTree(input.getBody().readAllBytes(), type), clazz);
    }

    @Override
    protected void writeInternal(Object o, HttpOutputMessage output) {
        throw new UnsupportedOperationException("reads only");
    }

    @Override
    public List<MediaType> getSupportedMediaTypes(Class<?> clazz) {
        return supports(clazz) ? getSupportedMediaTypes() : List.of();
    }
}
