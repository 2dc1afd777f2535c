// A project's status changes (publish, start, complete, cancel) for the
// staff pages: confirm, call the server, say what happened. Resolves to the
// updated project, or null when the user backed out or the server refused.
import { ElMessage, ElMessageBox } from 'element-plus'
import 'element-plus/es/components/message/style/css'
import 'element-plus/es/components/message-box/style/css'
import { api, errorMessage } from './api.js'
import { ACTION_DONE } from './projects.js'

export async function runProjectAction(t, project, action) {
  try {
    await ElMessageBox.confirm(t(`proj.${action}Confirm`, { title: project.title }), t(`proj.${action}`), {
      type: action === 'cancel' ? 'warning' : 'info',
      confirmButtonText: t(`proj.${action}`),
      cancelButtonText: t('common.cancel'),
    })
  } catch {
    return null
  }
  try {
    const updated = await api.post(`/projects/${project.id}/${action}`)
    ElMessage.success(t(ACTION_DONE[action]))
    return updated
  } catch (e) {
    ElMessage.error(errorMessage(e))
    return null
  }
}
