// The Flex plugin wrapper: Flex calls init() once the UI is up. Needs the packages the Flex plugins CLI
// installs (@twilio/flex-plugin); everything it does is in ./teamsview/, which needs nothing.
import { FlexPlugin } from '@twilio/flex-plugin';

import { readConfig, startReporter } from './teamsview/index.js';

const PLUGIN_NAME = 'TeamsviewPlugin';

export default class TeamsviewPlugin extends FlexPlugin {
  constructor() {
    super(PLUGIN_NAME);
  }

  init(flex, manager) {
    // ui_attributes.custom_data of the hosted Flex configuration is `manager.configuration.custom_data`.
    const fromFlexConfiguration = manager.configuration?.custom_data?.teamsview;
    const fromBuild = {
      serverUrl: process.env.FLEX_APP_TEAMSVIEW_URL,
      clientToken: process.env.FLEX_APP_TEAMSVIEW_CLIENT_TOKEN,
      conferenceCallbackUrl: process.env.FLEX_APP_TEAMSVIEW_CONFERENCE_CALLBACK_URL,
      conferenceCallbackEvents: process.env.FLEX_APP_TEAMSVIEW_CONFERENCE_CALLBACK_EVENTS,
    };
    const config = readConfig(fromFlexConfiguration, fromBuild);
    if (!config.ok) {
      console.warn(`[teamsview] plugin not started: ${config.errors.join('; ')}`);
      return;
    }
    startReporter({ flex, manager, config: config.value });
  }
}
