// Entry point the Flex plugins CLI builds.
import * as FlexPlugin from '@twilio/flex-plugin';

import TeamsviewPlugin from './TeamsviewPlugin';

FlexPlugin.loadPlugin(TeamsviewPlugin);
