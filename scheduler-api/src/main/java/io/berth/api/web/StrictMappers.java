package io.berth.api.web;

import io.berth.core.spec.RuntimeSpec;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.deser.DeserializationProblemHandler;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.EnumFeature;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.cfg.MapperBuilder;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.type.LogicalType;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The one set of reading rules for request documents, JSON and YAML alike: unknown fields, duplicate keys, trailing
 * content, fractions for integers ({@code 999.9}), strings for numbers or booleans ({@code "7"}, {@code ""}), numbers
 * or booleans for strings, numbers for enums and null for primitives are refused rather than guessed. Writing is unaffected.
 */
public final class StrictMappers {
    private StrictMappers() {
    }

    public static JsonMapper json(JsonMapper base) {
        return strict(base.rebuild()).build();
    }

    public static YAMLMapper yaml() {
        return strict(YAMLMapper.builder()).build();
    }

    static <M extends tools.jackson.databind.ObjectMapper, B extends MapperBuilder<M, B>> B strict(B builder) {
        return builder
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, DeserializationFeature.FAIL_ON_TRAILING_TOKENS,
                        DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .enable(EnumFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
                .withCoercionConfigDefaults(c -> c.setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                        .setAcceptBlankAsEmpty(false))
                // a number or boolean where a string belongs ("name": 123) is refused, not turned into "123"
                .withCoercionConfig(LogicalType.Textual, c -> c.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
                .addHandler(OTHER_RUNTIME_NULL);
    }

    /**
     * The job spec's runtime is one of several variants ({@code {"type":"process","process":{...}}}); the section of
     * another variant is refused, except as an explicit null, which the API itself wrote into answers before the
     * runtime became a sealed type ({@code "embedded": null} next to a process), so such a spec can be sent back.
     */
    private static final DeserializationProblemHandler OTHER_RUNTIME_NULL = new DeserializationProblemHandler() {
        @Override
        public boolean handleUnknownProperty(DeserializationContext ctxt, JsonParser p, ValueDeserializer<?> deserializer,
                                             Object beanOrClass, String propertyName) {
            Class<?> type = beanOrClass instanceof Class<?> c ? c : beanOrClass.getClass();
            if (p.currentToken() != JsonToken.VALUE_NULL || !RuntimeSpec.class.isAssignableFrom(type)) return false;
            return switch (propertyName) {
                case RuntimeSpec.EMBEDDED, RuntimeSpec.PROCESS -> true;
                default -> false;
            };
        }
    };
}
