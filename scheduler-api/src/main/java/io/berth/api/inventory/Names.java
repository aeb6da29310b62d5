package io.berth.api.inventory;

/** The one naming rule for inventory objects: 1-253 characters, letters, digits, '.', '_' and '-', alphanumeric at both ends. */
final class Names {
    static final String PATTERN = "^[A-Za-z0-9]([A-Za-z0-9._-]{0,251}[A-Za-z0-9])?$";
    static final String MESSAGE = "must be 1-253 letters, digits, '.', '_' or '-', starting and ending with a letter or digit";

    private Names() {
    }
}
