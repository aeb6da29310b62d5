package io.berth.api;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * Who may touch the database. Controllers never do: they call their feature's service. The web layer, the error
 * types and paging never do either; the features (and the database plumbing in {@code db} and {@code leader})
 * keep their SQL in their own services and repositories.
 */
class DatabaseAccessArchitectureTest {
    private static final String[] DATABASE = {"org.springframework.jdbc..", "java.sql..", "javax.sql..",
            "jakarta.persistence..", "org.springframework.data.."};

    private static final JavaClasses API = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("io.berth.api");

    @Test
    void controllersNeverTouchTheDatabase() {
        noClasses().that().haveSimpleNameEndingWith("Controller")
                .should().dependOnClassesThat().resideInAnyPackage(DATABASE)
                .because("a controller checks the caller and maps the body; its feature's service reads and writes")
                .check(API);
    }

    @Test
    void theSharedEdgeHoldsNoSql() {
        noClasses().that().resideInAnyPackage("io.berth.api.web..", "io.berth.api.errors..", "io.berth.api.paging..")
                .should().dependOnClassesThat().resideInAnyPackage(DATABASE)
                .check(API);
    }
}
