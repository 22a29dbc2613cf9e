export {
  defineService,
  deferredTask,
  type BackgroundTask,
  type BaseDeps,
  type CoreDeps,
  type DatabaseDeclaration,
  type DatabaseDeps,
  type RunningDeps,
  type ServiceConfig,
  type ServiceDeclaration,
  type ServiceDeps,
  type ServiceSchema,
} from './service-declaration';
export { bootService, type BootOptions, type BootedService } from './boot-service';
export { startService, type StartServiceOptions } from './start-service';
export { appDefaults, type AppDeps, type ReadinessDb } from './app-deps';
