package io.berth.api;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import io.berth.archfixture.LeakyController;
import jakarta.persistence.Entity;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.assignableTo;
import static com.tngtech.archunit.core.domain.properties.CanBeAnnotated.Predicates.annotatedWith;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Who may touch the database. Controllers never do: they call their feature's service. The web layer, the error
 * types and paging never do either; the features (and the database plumbing in {@code db} and {@code leader})
 * keep their SQL in their own services and repositories. The features' own data-access types count too: their Spring
 * Data repositories (package-private, in the feature), their JdbcClient {@code @Repository} classes and their
 * entities stay behind the services.
 */
class DatabaseAccessArchitectureTest {
    private static final String[] DATABASE = {"org.springframework.jdbc..", "java.sql..", "javax.sql..",
            "jakarta.persistence..", "org.springframework.data.."};

    /** A feature's repository (Spring Data or JdbcClient) or entity. */
    private static final DescribedPredicate<JavaClass> DATA_ACCESS =
            assignableTo(org.springframework.data.repository.Repository.class)
                    .or(annotatedWith(org.springframework.stereotype.Repository.class))
                    .or(annotatedWith(Entity.class))
                    .as("a repository or an entity");
    private static final ArchRule CONTROLLERS_USE_NO_REPOSITORY = noClasses().that().haveSimpleNameEndingWith("Controller")
            .should().dependOnClassesThat(DATA_ACCESS)
            .because("a controller calls its feature's service, which hands out records");

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
    void controllersNeverTouchARepositoryOrAnEntity() {
        CONTROLLERS_USE_NO_REPOSITORY.check(API);
    }

    /** The rule above catches what it names (a Spring Data repository, an entity). */
    @Test
    void theRepositoryRuleCatchesAController() {
        JavaClasses fixture = new ClassFileImporter().importClasses(LeakyController.class,
                LeakyController.LeakyRepository.class, LeakyController.LeakyEntity.class);
        assertThatThrownBy(() -> CONTROLLERS_USE_NO_REPOSITORY.check(fixture)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("LeakyRepository").hasMessageContaining("LeakyEntity");
    }

    @Test
    void springDataRepositoriesArePackagePrivate() {
        classes().that().areAssignableTo(org.springframework.data.repository.Repository.class)
                .and().resideInAPackage("io.berth.api..")
                .should().notHaveModifier(JavaModifier.PUBLIC)
                .because("other features call the owning feature's service, never its tables")
                .check(API);
    }

    @Test
    void theSharedEdgeHoldsNoSql() {
        noClasses().that().resideInAnyPackage("io.berth.api.web..", "io.berth.api.errors..", "io.berth.api.paging..")
                .should().dependOnClassesThat().resideInAnyPackage(DATABASE)
                .orShould().dependOnClassesThat(DATA_ACCESS)
                .check(API);
    }
}
