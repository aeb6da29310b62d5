package io.berth.core;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/** scheduler-core stays plain Java: no Spring, JPA, servlet, HTTP or JDBC types, and nothing of the other modules. */
class ArchitectureTest {
    private final JavaClasses core = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.berth.core");

    @Test
    void coreDependsOnNoFrameworkOrTransport() {
        noClasses().that().resideInAPackage("io.berth.core..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "org.springframework..", "jakarta.persistence..", "javax.persistence..", "org.hibernate..",
                        "jakarta.servlet..", "java.net.http..", "java.sql..", "javax.sql..", "tools.jackson..",
                        "com.fasterxml.jackson..", "io.berth.api..", "io.berth.agent..")
                .check(core);
    }
}
