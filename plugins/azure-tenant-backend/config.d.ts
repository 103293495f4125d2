export interface Config {
  /**
   * Configuration of the Azure tenant plugins. Its settings (app registration, endpoints, roles, sync schedule)
   * are added as the features that use them are built.
   */
  azureTenant?: {};
}
