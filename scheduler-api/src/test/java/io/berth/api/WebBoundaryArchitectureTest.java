package io.berth.api;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import jakarta.servlet.Filter;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.assignableTo;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * HTTP stays at the edge: features speak in domain exceptions ({@code io.berth.api.errors}) and plain records, and only
 * the web layer, the controllers and the servlet edge (filters and the security chain) know HTTP types or the web
 * package. The web package's one handler maps the domain exceptions to problem details.
 */
class WebBoundaryArchitectureTest {
    private static final JavaClasses API = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("io.berth.api");

    @Test
    void noHttpBelowTheControllers() {
        noClasses().that().resideOutsideOfPackage("io.berth.api.web..")
                .and().haveSimpleNameNotEndingWith("Controller")
                .and(not(assignableTo(Filter.class)))
                .and().doNotHaveFullyQualifiedName("io.berth.api.auth.SecurityConfig")
                // the heartbeat endpoint's long poll: it holds the HTTP answer (DeferredResult) until work arrives
                .and().doNotHaveFullyQualifiedName("io.berth.api.agents.HeldHeartbeats")
                .and().doNotHaveFullyQualifiedName("io.berth.api.agents.HeldHeartbeats$Held")
                .should().dependOnClassesThat().resideInAnyPackage("org.springframework.http..",
                        "org.springframework.web..", "io.berth.api.web..")
                .because("services, repositories and domain classes throw io.berth.api.errors exceptions and "
                        + "return plain records; the web layer turns them into HTTP")
                .check(API);
    }
}
