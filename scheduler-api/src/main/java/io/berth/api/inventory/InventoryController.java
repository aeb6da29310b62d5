package io.berth.api.inventory;

import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.berth.api.errors.Invalid;
import io.berth.api.web.ApiException;
import io.berth.api.web.DocumentReader;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** Bulk inventory: export as JSON or YAML; import of that document or of the Alibaba node-list CSV. */
@RestController
@RequestMapping("/api/v1/inventory")
class InventoryController {
    private final InventoryService inventory;
    private final DocumentReader documents;

    InventoryController(InventoryService inventory, DocumentReader documents) {
        this.inventory = inventory;
        this.documents = documents;
    }

    /** JSON by default; YAML when {@code format=yaml} or the Accept header asks for application/yaml. */
    @GetMapping(value = "/export", produces = {MediaType.APPLICATION_JSON_VALUE, "application/yaml"})
    ResponseEntity<?> export(@RequestParam(required = false) String format,
                             @RequestHeader(value = HttpHeaders.ACCEPT, required = false) String accept) {
        InventoryDocument doc = inventory.export();
        boolean yaml = "yaml".equalsIgnoreCase(format)
                || (format == null && accept != null && accept.contains("yaml") && !accept.contains("json"));
        if (format != null && !yaml && !"json".equalsIgnoreCase(format))
            throw Invalid.field("format", "must be json or yaml");
        if (yaml) return ResponseEntity.ok().contentType(DocumentReader.YAML).body(documents.writeYaml(doc));
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(doc);
    }

    /**
     * Imports an inventory document (application/json or application/yaml) or a node-list CSV (text/csv).
     * All or nothing; idempotent: objects are upserted by name.
     */
    @PostMapping(value = "/import", consumes = MediaType.ALL_VALUE)
    InventoryService.ImportResult importInventory(@io.swagger.v3.oas.annotations.parameters.RequestBody(
            required = true, description = "an inventory document, or a node-list CSV (sn,cpu_milli,memory_mib,gpu,model)",
            content = {@Content(mediaType = "application/json",
                    schema = @Schema(implementation = InventoryDocument.class)),
                    @Content(mediaType = "application/yaml",
                            schema = @Schema(implementation = InventoryDocument.class)),
                    @Content(mediaType = "text/csv", schema = @Schema(type = "string"))})
                                                  @RequestBody(required = false) byte[] body,
                                                  @RequestHeader(value = HttpHeaders.CONTENT_TYPE, required = false)
                                                  String contentType) {
        MediaType type = DocumentReader.concreteType(contentType, SUPPORTED);
        if (type.isCompatibleWith(MediaType.parseMediaType("text/csv"))) {
            if (body == null || body.length == 0) throw Invalid.field("body", "request body is empty");
            List<ServerSpec> servers = NodeListCsv.parse(new String(body, StandardCharsets.UTF_8));
            servers.forEach(documents::validate);
            return inventory.importNodeList(servers);
        }
        if (!DocumentReader.isYaml(type) && !type.isCompatibleWith(MediaType.APPLICATION_JSON))
            throw ApiException.unsupportedMediaType(contentType, SUPPORTED);
        return inventory.importDocument(documents.read(body, type, InventoryDocument.class));
    }

    private static final List<String> SUPPORTED = List.of("application/json", "application/yaml", "text/csv");
}
