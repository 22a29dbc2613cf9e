import { startService } from '@glotixz/common/service';
import { notificationsService } from './service';

void startService(notificationsService, process.env);
