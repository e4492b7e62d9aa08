/**
 * The one place this package takes the bindy CustomResourceDefinitions from: the operator's
 * `src/crds` (the single source of the API, kept in step with upstream Bindy). The package build
 * (`scripts/build.ts`) inlines these definitions into `lib/`, so an installed package depends on
 * no operator code. Nothing here is part of the package's public API.
 */
export { customResourceDefinitions, GROUP, KINDS, RESOURCES, type CustomResourceDefinition } from '../../../src/crds/index.js';
