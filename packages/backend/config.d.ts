export interface Config {
  permission?: {
    /** Settings of the demo portal's permission policy. */
    demoPolicy?: {
      /**
       * Entity references (users or groups) whose members are portal admins: they may connect Azure tenants,
       * change sync modes and edit any entity's tags. Compared case-insensitively.
       */
      adminEntityRefs?: string[];
    };
  };
}
