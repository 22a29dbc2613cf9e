/**
 * How Glotixz writes money, instants and seats for people, the same on every page, e-ticket and
 * email (`@glotixz/common/format`). No dependencies, so a browser bundle can carry it.
 */
export * from './money';
export * from './words';
