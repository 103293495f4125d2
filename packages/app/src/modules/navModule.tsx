import { Sidebar, SidebarItem } from '@backstage/core-components';
import { createFrontendModule } from '@backstage/frontend-plugin-api';
import {
  NavContentBlueprint,
  NavContentNavItem,
} from '@backstage/plugin-app-react';
import { NotificationsSidebarItem } from '@backstage/plugin-notifications';

function NavItem(item: NavContentNavItem) {
  return (
    <SidebarItem to={item.href} icon={() => item.icon} text={item.title} />
  );
}

/**
 * The demo portal's sidebar: every page's item, as the app's default sidebar shows them, but notifications get the
 * notifications plugin's own item, as a create-app portal has it (the plugin leaves it to the app): the unread count,
 * kept current through signals, and a toast when a notification arrives, such as a budget alert.
 */
export const navModule = createFrontendModule({
  pluginId: 'app',
  extensions: [
    NavContentBlueprint.make({
      params: {
        component: ({ navItems }) => {
          const notifications = navItems.take('page:notifications');
          const settings = navItems.take('page:user-settings');
          const items = navItems.withComponent(NavItem);
          return (
            <Sidebar>
              {items.rest()}
              {notifications && <NotificationsSidebarItem />}
              {settings && <NavItem {...settings} />}
            </Sidebar>
          );
        },
      },
    }),
  ],
});
